//! `meterport`: the command line and its dispatch.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use meterport_portal::cli::config::{ConfigFile, Problem};
use meterport_portal::cli::{CollectArgs, DEMO_DATABASE, ServeArgs, admin};
use meterport_portal::service::Services;
use meterport_store::Store;

/// meterport: the operation-status and page-counter portal of a printer fleet.
#[derive(Debug, Parser)]
#[command(name = "meterport", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal.
    Serve(Serve),
    /// Fill the database with the demo tenant (if it is not there yet).
    Demo {
        #[arg(long, env = "METERPORT_DATABASE_URL", default_value = DEMO_DATABASE)]
        database: String,
    },
    /// Operator commands against the database: tenants, users, devices, groups, tokens.
    Admin(admin::AdminArgs),
    /// Measure ingest and query performance on a synthetic tenant.
    Bench(meterport_bench::BenchArgs),
    /// The SNMP site collector: poll the printers of a TOML file and deliver their readings
    /// and status to the portal (exit codes: 0 delivered, 3 portal unreachable, 4 items
    /// refused, 5 a host did not answer).
    Collect(CollectArgs),
    /// The configuration file of `serve` (`serve --config FILE`).
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a configuration file: every unknown key and refused value is named with its
    /// line. Exit status: 0 the file is valid, 1 it has problems (each on standard error),
    /// 2 it cannot be read or is not TOML.
    Check { file: PathBuf },
    /// Print the settings `serve` would run with these flags (and `--config`, and the
    /// environment), and where each comes from; secrets are masked.
    Show {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

#[derive(Debug, clap::Args)]
pub struct Serve {
    #[command(flatten)]
    pub args: ServeArgs,
    /// Fill the demo tenant on first run and print its credentials.
    #[arg(long)]
    pub demo: bool,
}

pub async fn main() -> ExitCode {
    // The command line first, with the configuration file under it: the log's own settings
    // may come from the file.
    let (matches, filled) = match parse(std::env::args_os().collect()) {
        Ok(parsed) => parsed,
        Err(Refusal::Clap(e)) => e.exit(),
        Err(Refusal::Config(problems)) => {
            for p in problems {
                eprintln!("error: {p}");
            }
            return ExitCode::from(2);
        }
    };
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let log_format = match &cli.command {
        Command::Serve(serve) => serve.args.log_format,
        // The other commands talk to a person or a site's scripts: text, as always.
        _ => Some(meterport_portal::telemetry::LogFormat::Text),
    };
    meterport_portal::cli::init_tracing(log_format);
    if let (Command::Serve(_), Some((path, filled))) = (&cli.command, &filled) {
        tracing::info!(
            file = %path.display(),
            settings = filled.len(),
            "configuration file read (flags and environment variables win over it)"
        );
    }
    let result = match cli.command {
        Command::Serve(Serve { args, demo: false }) => meterport_portal::cli::run_serve(args).await,
        Command::Serve(Serve { args, demo: true }) => run_serve_demo(args).await,
        Command::Demo { database } => run_demo(&database).await,
        Command::Admin(args) => admin::run(args).await,
        Command::Bench(args) => meterport_bench::run(args).await,
        Command::Collect(args) => return meterport_portal::cli::run_collect(args).await,
        Command::Config(ConfigCommand::Check { file }) => return config_check(&file),
        Command::Config(ConfigCommand::Show { args }) => config_show(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Why a command line is refused.
pub enum Refusal {
    Clap(clap::Error),
    /// The configuration file's problems.
    Config(Vec<Problem>),
}

/// What the configuration file filled: its path, and the argument ids with their lines.
pub type Filled = Option<(PathBuf, Vec<(String, usize)>)>;

/// Parses `argv` with the settings of `serve --config FILE` (or `METERPORT_CONFIG`) under
/// the command line and the environment. `admin --config FILE` reads the same file and
/// takes from it what it shares with `serve` (the database). See
/// [`meterport_portal::cli::config`].
pub fn parse(argv: Vec<OsString>) -> Result<(ArgMatches, Filled), Refusal> {
    let cmd = Cli::command();
    let first = cmd
        .clone()
        .try_get_matches_from(&argv)
        .map_err(Refusal::Clap)?;
    let Some((name, sub)) = first.subcommand() else {
        return Ok((first, None));
    };
    if !matches!(name, "serve" | "admin") {
        return Ok((first, None));
    }
    let Some(path) = sub.get_one::<PathBuf>("config").cloned() else {
        return Ok((first, None));
    };
    let serve = cmd.find_subcommand("serve").expect("serve is a command");
    let file = ConfigFile::read(&path).map_err(|p| Refusal::Config(vec![p]))?;
    let problems = file.check(serve);
    if !problems.is_empty() {
        return Err(Refusal::Config(problems));
    }
    if let Some(warning) = file.exposed_secrets(serve) {
        eprintln!("warning: {warning}");
    }
    let target = cmd.find_subcommand(name).expect("a command of the file");
    let (extra, filled) = file.fill(target, sub);
    let all = cmd
        .try_get_matches_from(argv.into_iter().chain(extra))
        .map_err(Refusal::Clap)?;
    Ok((all, Some((path, filled))))
}

/// `meterport config check FILE`.
fn config_check(path: &std::path::Path) -> ExitCode {
    let cmd = Cli::command();
    let serve = cmd.find_subcommand("serve").expect("serve is a command");
    let file = match ConfigFile::read(path) {
        Ok(file) => file,
        Err(problem) => {
            eprintln!("error: {problem}");
            return ExitCode::from(2);
        }
    };
    let problems = file.check(serve);
    if let Some(warning) = file.exposed_secrets(serve) {
        eprintln!("warning: {warning}");
    }
    if problems.is_empty() {
        println!(
            "{}: valid ({} settings)",
            path.display(),
            file.settings.len()
        );
        return ExitCode::SUCCESS;
    }
    for p in &problems {
        eprintln!("error: {p}");
    }
    ExitCode::from(1)
}

/// `meterport config show [SERVE FLAGS]`: one `key = value  # source` line per setting.
fn config_show(args: Vec<OsString>) -> anyhow::Result<()> {
    let argv = ["meterport", "serve"]
        .into_iter()
        .map(OsString::from)
        .chain(args)
        .collect();
    let (matches, filled) = match parse(argv) {
        Ok(parsed) => parsed,
        Err(Refusal::Clap(e)) => e.exit(),
        Err(Refusal::Config(problems)) => {
            let lines: Vec<String> = problems.iter().map(Problem::to_string).collect();
            anyhow::bail!("{}", lines.join("\n"));
        }
    };
    let cmd = Cli::command();
    let serve = cmd.find_subcommand("serve").expect("serve is a command");
    let sub = matches
        .subcommand_matches("serve")
        .expect("serve was parsed");
    let (path, filled) = filled.unzip();
    let shown = meterport_portal::cli::config::effective(
        serve,
        sub,
        path.as_deref(),
        filled.as_deref().unwrap_or_default(),
    );
    for (key, value, source) in shown {
        match value {
            Some(v) => println!("{key} = {}  # {source}", toml_value(&v)),
            None => println!("# {key}  (unset)"),
        }
    }
    Ok(())
}

/// A value as TOML writes it: numbers and booleans bare, anything else a string.
fn toml_value(v: &str) -> String {
    if v == "true" || v == "false" || (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())) {
        v.to_string()
    } else {
        format!("{v:?}")
    }
}

async fn run_demo(database: &str) -> anyhow::Result<()> {
    let store = Store::open(database).await?;
    let report = crate::demo::ensure_demo(&store, jiff::Timestamp::now().as_millisecond()).await?;
    println!("{report}");
    Ok(())
}

/// `serve --demo`: the demo tenant first (on first run), then the portal, which prints the
/// demo's credentials after its address.
async fn run_serve_demo(args: ServeArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.database).await?;
    let report = crate::demo::ensure_demo(&store, jiff::Timestamp::now().as_millisecond()).await?;
    meterport_portal::cli::serve_store(args, Services::new(store), Some(report)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_takes_the_portals_flags_and_demo() {
        let cli = Cli::try_parse_from(["meterport", "serve", "--demo", "--trust-proxy"]).unwrap();
        let Command::Serve(serve) = cli.command else {
            panic!("not serve");
        };
        assert!(serve.demo && serve.args.trust_proxy);
        assert_eq!(serve.args.database, DEMO_DATABASE);
        let cli = Cli::try_parse_from(["meterport", "serve"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Serve(Serve { demo: false, .. })
        ));
    }

    #[test]
    fn every_subcommand_is_there() {
        use clap::CommandFactory;
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        assert_eq!(
            names,
            ["serve", "demo", "admin", "bench", "collect", "config"]
        );
    }
}
