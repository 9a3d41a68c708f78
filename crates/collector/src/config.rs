//! The collector's configuration file (TOML), parsed once into typed settings.
//!
//! The names are those of the site engineer's documentation (README, manual) and must not
//! change: `portal_url`, `ingest_token`, `spool_dir`, `interval_minutes`, `timeout_ms`,
//! `retries` and `[[targets]]` with `address`, `version`, `community` and the SNMPv3 names.
//! A bad file is refused with the line and the key at fault, because the person reading the
//! message is at a customer's site with an editor, not a debugger.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::target::Address;

/// SNMP version of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Version {
    #[serde(rename = "1")]
    V1,
    #[serde(rename = "2c")]
    V2c,
    #[serde(rename = "3")]
    V3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthProtocol {
    Md5,
    Sha,
    Sha256,
    Sha512,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrivProtocol {
    Des,
    Aes,
    Aes256,
}

/// The file as written. Private: [`Config::parse`] checks what serde cannot and hands out
/// [`Config`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    portal_url: Spanned<String>,
    ingest_token: Spanned<String>,
    spool_dir: PathBuf,
    #[serde(default = "default_interval")]
    interval_minutes: Spanned<u64>,
    #[serde(default = "default_timeout")]
    timeout_ms: Spanned<u64>,
    #[serde(default = "default_retries")]
    retries: u32,
    /// Requests in flight at once over all targets (more names are welcome, the issue says;
    /// this one bounds a CIDR sweep and the load on the site's network).
    #[serde(default = "default_concurrency")]
    concurrency: Spanned<usize>,
    #[serde(default)]
    targets: Vec<RawTarget>,
}

fn default_interval() -> Spanned<u64> {
    Spanned::new(0..0, 60)
}
fn default_timeout() -> Spanned<u64> {
    Spanned::new(0..0, 2000)
}
fn default_retries() -> u32 {
    1
}
fn default_concurrency() -> Spanned<usize> {
    Spanned::new(0..0, 64)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    address: Spanned<String>,
    /// The UDP port of a CIDR sweep (default 161); a host names its port as `host:port`.
    port: Option<u16>,
    #[serde(default = "default_version")]
    version: Spanned<Version>,
    community: Option<String>,
    user: Option<String>,
    auth_protocol: Option<AuthProtocol>,
    auth_password: Option<String>,
    priv_protocol: Option<PrivProtocol>,
    priv_password: Option<String>,
}

fn default_version() -> Spanned<Version> {
    Spanned::new(0..0, Version::V2c)
}

/// How to talk to a target.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    Community {
        version: Version,
        community: String,
    },
    /// SNMPv3 USM, always with the empty context.
    Usm {
        user: String,
        auth: Option<(AuthProtocol, String)>,
        privacy: Option<(PrivProtocol, String)>,
    },
}

// Passwords and communities never reach a log line.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Community { version, .. } => write!(f, "{version:?} community"),
            Credentials::Usm {
                user,
                auth,
                privacy,
            } => write!(
                f,
                "v3 user {user} auth {:?} priv {:?}",
                auth.as_ref().map(|a| a.0),
                privacy.as_ref().map(|p| p.0)
            ),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Target {
    pub address: Address,
    pub credentials: Credentials,
}

#[derive(Clone)]
pub struct Config {
    /// Base URL without a trailing slash.
    pub portal_url: String,
    pub ingest_token: String,
    pub spool_dir: PathBuf,
    pub interval: Duration,
    pub timeout: Duration,
    pub retries: u32,
    pub concurrency: usize,
    pub targets: Vec<Target>,
}

// The ingest token never reaches a log line either.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("portal_url", &self.portal_url)
            .field("spool_dir", &self.spool_dir)
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("concurrency", &self.concurrency)
            .field("targets", &self.targets)
            .finish_non_exhaustive()
    }
}

/// A refused configuration: where, which key, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: line {line}, key `{key}`: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub key: String,
    pub message: String,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: 0,
            key: String::new(),
            message: format!("cannot be read: {e}"),
        })?;
        Config::parse(&path.display().to_string(), &text)
    }

    /// Parses the text of a configuration file named `file` (for messages).
    pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
        let at = |span: std::ops::Range<usize>, key: &str, message: String| ConfigError {
            file: file.to_string(),
            line: line_of(text, span.start),
            key: key.to_string(),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().to_string();
            let key = key_of(text, span.clone(), &message);
            at(span, &key, message)
        })?;
        let missing = |what: &str| ConfigError {
            file: file.to_string(),
            line: 0,
            key: what.to_string(),
            message: "is required".into(),
        };
        let portal_url = raw.portal_url.get_ref().trim().trim_end_matches('/');
        if !(portal_url.starts_with("http://") || portal_url.starts_with("https://")) {
            return Err(at(
                raw.portal_url.span(),
                "portal_url",
                "must start with http:// or https://".into(),
            ));
        }
        if raw.ingest_token.get_ref().trim().is_empty() {
            return Err(at(
                raw.ingest_token.span(),
                "ingest_token",
                "must not be empty".into(),
            ));
        }
        if *raw.interval_minutes.get_ref() == 0 {
            return Err(at(
                raw.interval_minutes.span(),
                "interval_minutes",
                "must be at least 1".into(),
            ));
        }
        if !(100..=60_000).contains(raw.timeout_ms.get_ref()) {
            return Err(at(
                raw.timeout_ms.span(),
                "timeout_ms",
                "must be from 100 to 60000".into(),
            ));
        }
        if !(1..=4096).contains(raw.concurrency.get_ref()) {
            return Err(at(
                raw.concurrency.span(),
                "concurrency",
                "must be from 1 to 4096".into(),
            ));
        }
        if raw.targets.is_empty() {
            return Err(missing("targets"));
        }
        let mut targets = Vec::with_capacity(raw.targets.len());
        for t in raw.targets {
            let span = t.address.span();
            let address = Address::parse(t.address.get_ref(), t.port)
                .map_err(|m| at(span.clone(), "address", m))?;
            let version = *t.version.get_ref();
            let credentials = match version {
                Version::V1 | Version::V2c => Credentials::Community {
                    version,
                    community: t.community.unwrap_or_else(|| "public".into()),
                },
                Version::V3 => {
                    let vspan = t.version.span();
                    let user = t.user.filter(|u| !u.is_empty()).ok_or_else(|| {
                        at(vspan.clone(), "user", "is required for version 3".into())
                    })?;
                    let auth = match (t.auth_protocol, t.auth_password) {
                        (Some(p), Some(pw)) => Some((p, pw)),
                        (None, None) => None,
                        (Some(_), None) => {
                            return Err(at(
                                vspan,
                                "auth_password",
                                "is required with auth_protocol".into(),
                            ));
                        }
                        (None, Some(_)) => {
                            return Err(at(
                                vspan,
                                "auth_protocol",
                                "is required with auth_password".into(),
                            ));
                        }
                    };
                    let privacy = match (t.priv_protocol, t.priv_password) {
                        (Some(p), Some(pw)) => Some((p, pw)),
                        (None, None) => None,
                        (Some(_), None) => {
                            return Err(at(
                                vspan,
                                "priv_password",
                                "is required with priv_protocol".into(),
                            ));
                        }
                        (None, Some(_)) => {
                            return Err(at(
                                vspan,
                                "priv_protocol",
                                "is required with priv_password".into(),
                            ));
                        }
                    };
                    if privacy.is_some() && auth.is_none() {
                        return Err(at(
                            vspan,
                            "priv_protocol",
                            "privacy needs authentication (auth_protocol, auth_password)".into(),
                        ));
                    }
                    Credentials::Usm {
                        user,
                        auth,
                        privacy,
                    }
                }
            };
            targets.push(Target {
                address,
                credentials,
            });
        }
        Ok(Config {
            portal_url: portal_url.to_string(),
            ingest_token: raw.ingest_token.into_inner().trim().to_string(),
            spool_dir: raw.spool_dir,
            interval: Duration::from_secs(raw.interval_minutes.into_inner() * 60),
            timeout: Duration::from_millis(raw.timeout_ms.into_inner()),
            retries: raw.retries.min(10),
            concurrency: raw.concurrency.into_inner(),
            targets,
        })
    }
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map_or(1, |t| t.bytes().filter(|b| *b == b'\n').count() + 1)
}

/// The key an error is about: the one serde names (`unknown field `x``, `missing field `x``),
/// else the key written on the error's line (`key = value`).
fn key_of(text: &str, span: std::ops::Range<usize>, message: &str) -> String {
    for prefix in ["unknown field `", "missing field `", "duplicate key `"] {
        if let Some(rest) = message.split(prefix).nth(1)
            && let Some(key) = rest.split('`').next()
        {
            return key.to_string();
        }
    }
    let start = text
        .get(..span.start.min(text.len()))
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    match line.split_once('=') {
        Some((key, _)) => key.trim().trim_matches('"').to_string(),
        None => line.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
portal_url = "https://portal.example/"
ingest_token = "mpi_abc"
spool_dir = "/var/lib/meterport-collect"
interval_minutes = 15
timeout_ms = 1500
retries = 2

[[targets]]
address = "192.0.2.10"
version = "2c"
community = "public"

[[targets]]
address = "192.0.2.0/28"
version = "1"

[[targets]]
address = "printer.example:1161"
version = "3"
user = "meter"
auth_protocol = "sha256"
auth_password = "authpass1"
priv_protocol = "aes"
priv_password = "privpass1"
"#;

    #[test]
    fn the_documented_example_is_read_with_every_name() {
        let c = Config::parse("c.toml", GOOD).unwrap();
        assert_eq!(c.portal_url, "https://portal.example");
        assert_eq!(c.ingest_token, "mpi_abc");
        assert_eq!(c.interval, Duration::from_secs(900));
        assert_eq!(c.timeout, Duration::from_millis(1500));
        assert_eq!(c.retries, 2);
        assert_eq!(c.targets.len(), 3);
        assert!(matches!(
            &c.targets[2].credentials,
            Credentials::Usm { user, auth: Some((AuthProtocol::Sha256, _)), privacy: Some((PrivProtocol::Aes, _)) } if user == "meter"
        ));
        assert!(matches!(
            &c.targets[1].credentials,
            Credentials::Community { version: Version::V1, community } if community == "public"
        ));
    }

    #[test]
    fn a_bad_value_is_named_by_its_line_and_key() {
        let bad = GOOD.replace("timeout_ms = 1500", "timeout_ms = \"soon\"");
        let e = Config::parse("c.toml", &bad).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (6, "timeout_ms"), "{e}");
        assert!(
            e.to_string()
                .starts_with("c.toml: line 6, key `timeout_ms`")
        );

        let bad = GOOD.replace("version = \"1\"", "version = \"2\"");
        let e = Config::parse("c.toml", &bad).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (16, "version"), "{e}");

        let bad = GOOD.replace("retries = 2", "retries = 2\nretry = 3");
        let e = Config::parse("c.toml", &bad).unwrap_err();
        assert_eq!(e.key, "retry", "{e}");
        assert_eq!(e.line, 8, "{e}");

        let bad = GOOD.replace("192.0.2.0/28", "192.0.2.0/33");
        let e = Config::parse("c.toml", &bad).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (15, "address"), "{e}");

        let bad = GOOD.replace("auth_password = \"authpass1\"\n", "");
        let e = Config::parse("c.toml", &bad).unwrap_err();
        assert_eq!(e.key, "auth_password", "{e}");

        let bad = GOOD.replace("\"sha256\"", "\"sha3\"");
        let e = Config::parse("c.toml", &bad).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (22, "auth_protocol"), "{e}");
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let c = Config::parse("c.toml", GOOD).unwrap();
        assert!(!format!("{c:?}").contains("mpi_abc"));
        let shown = format!("{:?}", c.targets);
        assert!(!shown.contains("authpass1") && !shown.contains("privpass1"));
        assert!(!format!("{:?}", c.targets[0].credentials).contains("public"));
    }
}
