//! The configuration file of `meterport serve --config FILE` (TOML).
//!
//! The file is not a second description of the settings: its keys are the long flags of the
//! command it configures, `_` for `-` (`--session-idle-minutes` is `session_idle_minutes`),
//! and each value goes through that flag's own clap parser. A flag added to `serve` is
//! therefore a key of the file without a line here. Precedence: a flag on the command line,
//! then its environment variable, then the file, then the default. The file fills only the
//! arguments whose value clap took from nowhere or from a default
//! ([`clap::ArgMatches::value_source`]), by adding them to the command line and parsing it
//! again, so every rule clap knows (ranges, `requires`) holds for the file's values too.
//!
//! Written by hand over clap rather than with figment or config-rs: those would describe
//! the settings a second time as a serde struct and lose clap's value parsers, the
//! environment variable names and the precedence clap already decides.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, Command};
use toml::Spanned;

/// Arguments that are no setting: how to read the file itself, and clap's own.
const NOT_KEYS: [&str; 3] = ["config", "help", "version"];

/// A problem with a configuration file: where, which key, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct Problem {
    pub file: String,
    /// 1-based; 0 when the problem is not on a line (an unreadable file).
    pub line: usize,
    /// Empty when the problem is not about one key.
    pub key: String,
    pub message: String,
}

impl Problem {
    fn describe(&self) -> String {
        match (self.line, self.key.as_str()) {
            (0, "") => format!("{}: {}", self.file, self.message),
            (line, "") => format!("{}: line {line}: {}", self.file, self.message),
            (0, key) => format!("{}: key `{key}`: {}", self.file, self.message),
            (line, key) => format!("{}: line {line}, key `{key}`: {}", self.file, self.message),
        }
    }
}

/// One `key = value` of the file.
#[derive(Debug, Clone)]
pub struct Setting {
    pub key: String,
    pub line: usize,
    pub value: toml::Value,
}

/// A configuration file as read: its settings in the file's order.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub settings: Vec<Setting>,
}

/// Where the value of a setting came from, most important first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    Environment(String),
    File {
        path: PathBuf,
        line: usize,
    },
    Default,
    /// Not set anywhere, and without a default.
    Unset,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag => f.write_str("flag"),
            Source::Environment(var) => write!(f, "environment {var}"),
            Source::File { path, line } => write!(f, "file {}, line {line}", path.display()),
            Source::Default => f.write_str("default"),
            Source::Unset => f.write_str("unset"),
        }
    }
}

/// The keys a command takes in a configuration file, with their arguments: every argument
/// with a long name but `--config`, `--help` and `--version`.
pub fn keys(cmd: &Command) -> impl Iterator<Item = (String, &Arg)> {
    cmd.get_arguments().filter_map(|arg| {
        let long = arg.get_long()?;
        (!NOT_KEYS.contains(&long)).then(|| (long.replace('-', "_"), arg))
    })
}

fn find_key<'c>(cmd: &'c Command, key: &str) -> Option<&'c Arg> {
    keys(cmd).find(|(k, _)| k == key).map(|(_, arg)| arg)
}

/// A secret's value is never printed: clap's `hide_env_values` marks them
/// (`--operator-token`, `--smtp-url`).
pub fn is_secret(arg: &Arg) -> bool {
    arg.is_hide_env_values_set()
}

impl ConfigFile {
    pub fn read(path: &Path) -> Result<ConfigFile, Problem> {
        let text = std::fs::read_to_string(path).map_err(|e| Problem {
            file: path.display().to_string(),
            line: 0,
            key: String::new(),
            message: format!("cannot be read: {e}"),
        })?;
        ConfigFile::parse(path, &text)
    }

    /// Reads the TOML `text` of the file at `path` (named in messages).
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, Problem> {
        let file = path.display().to_string();
        let table: std::collections::BTreeMap<Spanned<String>, Spanned<toml::Value>> =
            toml::from_str(text).map_err(|e| Problem {
                file: file.clone(),
                line: e.span().map_or(0, |s| line_of(text, s.start)),
                key: String::new(),
                message: e.message().trim().to_string(),
            })?;
        let mut settings: Vec<(usize, Setting)> = table
            .into_iter()
            .map(|(key, value)| {
                let at = key.span().start;
                (
                    at,
                    Setting {
                        key: key.into_inner(),
                        line: line_of(text, at),
                        value: value.into_inner(),
                    },
                )
            })
            .collect();
        settings.sort_by_key(|(at, _)| *at);
        Ok(ConfigFile {
            path: path.to_path_buf(),
            settings: settings.into_iter().map(|(_, s)| s).collect(),
        })
    }

    fn problem(&self, setting: &Setting, message: String) -> Problem {
        Problem {
            file: self.path.display().to_string(),
            line: setting.line,
            key: setting.key.clone(),
            message,
        }
    }

    /// Every problem of the file for `cmd`: unknown keys, values of the wrong type and values
    /// the argument refuses (each with its line), then settings that do not go together
    /// (`smtp_tls_cert` without `smtp_tls_key`). The environment is not read: the file is
    /// judged alone.
    pub fn check(&self, cmd: &Command) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut args = vec![OsString::from(cmd.get_name())];
        for setting in &self.settings {
            let Some(arg) = find_key(cmd, &setting.key) else {
                problems.push(self.problem(setting, unknown_key(cmd, &setting.key)));
                continue;
            };
            match arguments(arg, &setting.value).and_then(|a| check_values(arg, a)) {
                Ok(a) => args.extend(a),
                Err(message) => problems.push(self.problem(setting, message)),
            }
        }
        if problems.is_empty() {
            let alone = cmd.clone().mut_args(|a| a.env(None));
            if let Err(e) = alone.try_get_matches_from(args) {
                problems.push(Problem {
                    file: self.path.display().to_string(),
                    line: 0,
                    key: String::new(),
                    message: together_message(&e, cmd),
                });
            }
        }
        problems
    }

    /// A warning when the file holds a secret (a key marked secret, or a URL with a password)
    /// and others than its owner may read it: such a file belongs to mode 0600.
    pub fn exposed_secrets(&self, cmd: &Command) -> Option<String> {
        let secrets: Vec<&str> = self
            .settings
            .iter()
            .filter(|s| {
                find_key(cmd, &s.key).is_some_and(is_secret)
                    || matches!(&s.value, toml::Value::String(v)
                        if url::Url::parse(v).is_ok_and(|u| u.password().is_some()))
            })
            .map(|s| s.key.as_str())
            .collect();
        let mode = file_mode(&self.path)?;
        (!secrets.is_empty() && mode & 0o077 != 0).then(|| {
            format!(
                "{} holds secrets ({}) and others may read it (mode {:o}): chmod 600 it",
                self.path.display(),
                secrets.join(", "),
                mode & 0o777
            )
        })
    }

    /// The arguments that put the file's settings under `matches` (the command line of
    /// `cmd` as parsed): only keys whose value came from nowhere or from a default, and only
    /// keys `cmd` has (another command may share the file, such as `admin`, which takes its
    /// `database` from the file of `serve`). Returns the arguments and, for each, the key's
    /// id and line. Call [`ConfigFile::check`] first; a value that fails here is left out.
    pub fn fill(
        &self,
        cmd: &Command,
        matches: &ArgMatches,
    ) -> (Vec<OsString>, Vec<(String, usize)>) {
        let mut args = Vec::new();
        let mut filled = Vec::new();
        for setting in &self.settings {
            let Some(arg) = find_key(cmd, &setting.key) else {
                continue;
            };
            let id = arg.get_id().as_str();
            if matches!(
                matches.value_source(id),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            ) {
                continue;
            }
            if let Ok(a) = arguments(arg, &setting.value) {
                args.extend(a);
                filled.push((id.to_string(), setting.line));
            }
        }
        (args, filled)
    }
}

/// The command-line arguments that say what `value` says for `arg`: `--flag` for a
/// switch set to true (nothing for false), `--long=value` once per value otherwise.
fn arguments(arg: &Arg, value: &toml::Value) -> Result<Vec<OsString>, String> {
    let long = arg.get_long().expect("keys have a long name");
    if !arg.get_action().takes_values() {
        let on = match arg.get_action() {
            ArgAction::SetTrue => true,
            ArgAction::SetFalse => false,
            _ => return Err("cannot be set in a configuration file".into()),
        };
        return match value {
            toml::Value::Boolean(b) if *b == on => Ok(vec![format!("--{long}").into()]),
            toml::Value::Boolean(_) => Ok(Vec::new()),
            other => Err(format!(
                "expected true or false, found {}",
                type_name(other)
            )),
        };
    }
    let one = |v: &toml::Value| -> Result<String, String> {
        match v {
            toml::Value::String(s) => Ok(s.clone()),
            toml::Value::Integer(i) => Ok(i.to_string()),
            toml::Value::Float(f) => Ok(f.to_string()),
            toml::Value::Boolean(b) => Ok(b.to_string()),
            toml::Value::Datetime(d) => Ok(d.to_string()),
            other => Err(format!("expected a value, found {}", type_name(other))),
        }
    };
    let values = match value {
        toml::Value::Array(items) if matches!(arg.get_action(), ArgAction::Append) => {
            items.iter().map(one).collect::<Result<Vec<_>, _>>()?
        }
        other => vec![one(other)?],
    };
    Ok(values
        .into_iter()
        .map(|v| OsString::from(format!("--{long}={v}")))
        .collect())
}

/// Runs `arg`'s own parser over the arguments made of a file's value: the argument alone,
/// without its environment variable and its relations to other arguments.
fn check_values(arg: &Arg, args: Vec<OsString>) -> Result<Vec<OsString>, String> {
    let alone = arg
        .clone()
        .env(None)
        .required(false)
        .global(false)
        .requires(clap::builder::Resettable::Reset)
        .conflicts_with(clap::builder::Resettable::Reset);
    let cmd = Command::new("check").no_binary_name(true).arg(alone);
    match cmd.try_get_matches_from(args.iter()) {
        Ok(_) => Ok(args),
        Err(e) => Err(value_message(&e, is_secret(arg))),
    }
}

/// What a value's refusal says, without the flag's name (the key is named instead) and,
/// for a secret, without the value.
fn value_message(e: &clap::Error, secret: bool) -> String {
    let value = match e.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(v)) if !secret => format!(" `{v}`"),
        _ => String::new(),
    };
    match e.kind() {
        ErrorKind::ValueValidation => match std::error::Error::source(e) {
            Some(why) => format!("invalid value{value}: {why}"),
            None => format!("invalid value{value}"),
        },
        ErrorKind::InvalidValue => match e.get(ContextKind::ValidValue) {
            Some(ContextValue::Strings(valid)) => {
                format!("invalid value{value}: expected one of {}", valid.join(", "))
            }
            _ => format!("invalid value{value}"),
        },
        _ => first_line(e),
    }
}

/// A refusal of the settings together, in one line, with the flags named as keys
/// (`--smtp-tls-key <SMTP_TLS_KEY>` is `smtp_tls_key`).
fn together_message(e: &clap::Error, cmd: &Command) -> String {
    let text = e.render().to_string();
    let words: Vec<String> = text
        .lines()
        .take_while(|l| !l.trim().is_empty() && !l.starts_with("Usage:"))
        .flat_map(str::split_whitespace)
        .filter(|w| !(w.starts_with('<') || w.ends_with('>') || w.ends_with(">'")))
        .map(|w| {
            let bare = w.trim_matches(|c| c == '\'' || c == ',' || c == ':');
            match bare
                .strip_prefix("--")
                .and_then(|long| keys(cmd).find(|(_, a)| a.get_long() == Some(long)))
            {
                Some((key, _)) => w.replace(bare, &format!("`{key}`")).replace('\'', ""),
                None => w.to_string(),
            }
        })
        .collect();
    let line = words.join(" ");
    line.strip_prefix("error: ").unwrap_or(&line).to_string()
}

fn first_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let line = text.lines().next().unwrap_or("");
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

/// "unknown key", with the key clap would suggest for the flag of that name (its
/// `suggestions`: a misspelling, `-` for `_`).
fn unknown_key(cmd: &Command, key: &str) -> String {
    let flag = format!("--{}", key.replace('_', "-"));
    let probe = cmd
        .clone()
        .mut_args(|a| a.env(None))
        .try_get_matches_from([cmd.get_name(), flag.as_str()]);
    let suggested = match probe {
        Err(e) => match e.get(ContextKind::SuggestedArg) {
            Some(ContextValue::String(s)) => s.strip_prefix("--").map(|s| s.replace('-', "_")),
            _ => None,
        },
        Ok(_) => None,
    };
    match suggested.filter(|k| k != key && find_key(cmd, k).is_some()) {
        Some(k) => format!("unknown key (did you mean `{k}`?)"),
        None => "unknown key".into(),
    }
}

fn type_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

#[cfg(unix)]
fn file_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode())
}

#[cfg(not(unix))]
fn file_mode(_: &Path) -> Option<u32> {
    None
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |t| t.bytes().filter(|b| *b == b'\n').count() + 1)
}

/// Every setting of `cmd` as parsed in `matches`, with where its value came from (`filled`:
/// the ids [`ConfigFile::fill`] put there, with their lines): `(key, value, source)`, the
/// value `None` when unset. Secrets are masked, and so is the password of a URL.
pub fn effective(
    cmd: &Command,
    matches: &ArgMatches,
    file: Option<&Path>,
    filled: &[(String, usize)],
) -> Vec<(String, Option<String>, Source)> {
    keys(cmd)
        .map(|(key, arg)| {
            let id = arg.get_id().as_str();
            let raw = matches.get_raw(id).map(|values| {
                values
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(",")
            });
            let source = match (
                filled.iter().find(|(f, _)| f == id),
                matches.value_source(id),
            ) {
                (Some((_, line)), _) => Source::File {
                    path: file.map(Path::to_path_buf).unwrap_or_default(),
                    line: *line,
                },
                (None, Some(ValueSource::CommandLine)) => Source::Flag,
                (None, Some(ValueSource::EnvVariable)) => Source::Environment(
                    arg.get_env()
                        .map(|e| e.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                ),
                (None, Some(ValueSource::DefaultValue)) => Source::Default,
                (None, _) => Source::Unset,
            };
            let raw = match source {
                Source::Unset => None,
                _ => raw.map(|v| mask(arg, v)),
            };
            (key, raw, source)
        })
        .collect()
}

fn mask(arg: &Arg, value: String) -> String {
    if is_secret(arg) && !value.is_empty() {
        return "********".into();
    }
    match url::Url::parse(&value) {
        Ok(mut url) if url.password().is_some() => {
            url.set_password(Some("********")).ok();
            url.to_string()
        }
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command like `serve`: values with ranges, a switch, a pair that goes together.
    fn serve() -> Command {
        Command::new("serve")
            .arg(Arg::new("config").long("config"))
            .arg(
                Arg::new("listen")
                    .long("listen")
                    .env("TEST_CONFIG_LISTEN")
                    .default_value("127.0.0.1:8080"),
            )
            .arg(
                Arg::new("session_idle_minutes")
                    .long("session-idle-minutes")
                    .value_parser(clap::value_parser!(u32).range(1..=1440))
                    .default_value("30"),
            )
            .arg(
                Arg::new("trust_proxy")
                    .long("trust-proxy")
                    .action(ArgAction::SetTrue),
            )
            .arg(
                Arg::new("operator_token")
                    .long("operator-token")
                    .env("TEST_CONFIG_OPERATOR_TOKEN")
                    .hide_env_values(true)
                    .value_parser(|s: &str| {
                        if s.len() >= 16 {
                            Ok(s.to_string())
                        } else {
                            Err("shorter than 16 characters")
                        }
                    }),
            )
            .arg(
                Arg::new("smtp_tls_cert")
                    .long("smtp-tls-cert")
                    .requires("smtp_tls_key"),
            )
            .arg(
                Arg::new("smtp_tls_key")
                    .long("smtp-tls-key")
                    .requires("smtp_tls_cert"),
            )
    }

    fn file(text: &str) -> ConfigFile {
        ConfigFile::parse(Path::new("m.toml"), text).expect("TOML")
    }

    fn problems(text: &str) -> Vec<String> {
        file(text)
            .check(&serve())
            .into_iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn every_long_flag_but_config_is_a_key_with_underscores() {
        let keys: Vec<String> = keys(&serve()).map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                "listen",
                "session_idle_minutes",
                "trust_proxy",
                "operator_token",
                "smtp_tls_cert",
                "smtp_tls_key"
            ]
        );
    }

    #[test]
    fn a_good_file_has_no_problem() {
        let text = "listen = \"0.0.0.0:80\"\nsession_idle_minutes = 15\ntrust_proxy = true\n\
                    smtp_tls_cert = \"c.pem\"\nsmtp_tls_key = \"k.pem\"\n";
        assert_eq!(problems(text), Vec::<String>::new());
    }

    #[test]
    fn unknown_keys_and_refused_values_are_named_with_their_lines() {
        let text = "listen = \"0.0.0.0:80\"\nsession_idle_minute = 15\n\
                    session_idle_minutes = 0\ntrust_proxy = \"yes\"\ncolour = 1\n\
                    operator_token = \"short-secret\"\n";
        assert_eq!(
            problems(text),
            [
                "m.toml: line 2, key `session_idle_minute`: unknown key (did you mean `session_idle_minutes`?)",
                "m.toml: line 3, key `session_idle_minutes`: invalid value `0`: 0 is not in 1..=1440",
                "m.toml: line 4, key `trust_proxy`: expected true or false, found a string",
                "m.toml: line 5, key `colour`: unknown key",
                // A secret is never repeated in a message.
                "m.toml: line 6, key `operator_token`: invalid value: shorter than 16 characters",
            ]
        );
    }

    #[test]
    fn a_table_or_a_list_where_one_value_belongs_is_refused() {
        assert_eq!(
            problems("listen = [\"a\", \"b\"]\n[session_idle_minutes]\nx = 1\n"),
            [
                "m.toml: line 1, key `listen`: expected a value, found a list",
                "m.toml: line 2, key `session_idle_minutes`: expected a value, found a table",
            ]
        );
    }

    #[test]
    fn settings_that_need_each_other_are_checked_together() {
        let p = problems("smtp_tls_cert = \"c.pem\"\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("m.toml: ") && p[0].contains("`smtp_tls_key`"),
            "{p:?}"
        );
    }

    #[test]
    fn a_file_that_is_not_toml_is_refused_with_its_line() {
        let e =
            ConfigFile::parse(Path::new("m.toml"), "listen = \"a\"\nlisten = \"b\"\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (2, ""), "{e}");
        let e = ConfigFile::parse(Path::new("m.toml"), "a = \n").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
    }

    /// Flags > environment > file > defaults; the environment part is proven through the
    /// binary (`crates/meterport/tests/it/config.rs`), since a test cannot set a variable of
    /// its own process safely.
    #[test]
    fn the_file_fills_only_what_the_command_line_left_to_defaults() {
        let cmd = serve();
        let f = file("listen = \"0.0.0.0:80\"\nsession_idle_minutes = 15\ntrust_proxy = true\n");
        let argv = ["serve", "--listen", "127.0.0.2:81"];
        let first = cmd.clone().try_get_matches_from(argv).unwrap();
        let (extra, filled) = f.fill(&cmd, &first);
        assert_eq!(extra, ["--session-idle-minutes=15", "--trust-proxy"]);
        let all = cmd
            .clone()
            .try_get_matches_from(argv.iter().map(OsString::from).chain(extra))
            .unwrap();
        let shown = effective(&cmd, &all, Some(Path::new("m.toml")), &filled);
        let get = |key: &str| {
            let (_, v, s) = shown.iter().find(|(k, _, _)| k == key).unwrap();
            (v.clone().unwrap_or_default(), s.to_string())
        };
        assert_eq!(get("listen"), ("127.0.0.2:81".into(), "flag".into()));
        assert_eq!(
            get("session_idle_minutes"),
            ("15".into(), "file m.toml, line 2".into())
        );
        assert_eq!(
            get("trust_proxy"),
            ("true".into(), "file m.toml, line 3".into())
        );
        assert_eq!(get("operator_token"), (String::new(), "unset".into()));
        let none = cmd.clone().try_get_matches_from(["serve"]).unwrap();
        let shown = effective(&cmd, &none, None, &[]);
        assert_eq!(shown[1].1.as_deref(), Some("30"));
        assert_eq!(shown[1].2, Source::Default);
    }

    #[test]
    fn secrets_and_url_passwords_are_masked_when_shown() {
        let cmd = serve();
        let m = cmd
            .clone()
            .try_get_matches_from([
                "serve",
                "--operator-token",
                "0123456789abcdef-secret",
                "--listen",
                "postgres://u:hunter2@db/m",
            ])
            .unwrap();
        let shown = effective(&cmd, &m, None, &[]);
        let text = format!("{shown:?}");
        assert!(
            !text.contains("0123456789abcdef") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(text.contains("postgres://u:********@db/m"), "{text}");
    }
}
