//! `meterport`: the command line and its dispatch.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use meterport_portal::cli::{CollectArgs, DEMO_DATABASE, ServeArgs, admin};
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
    let cli = Cli::parse();
    let log_format = match &cli.command {
        Command::Serve(serve) => serve.args.log_format,
        // The other commands talk to a person or a site's scripts: text, as always.
        _ => Some(meterport_portal::telemetry::LogFormat::Text),
    };
    meterport_portal::cli::init_tracing(log_format);
    let result = match cli.command {
        Command::Serve(Serve { args, demo: false }) => meterport_portal::cli::run_serve(args).await,
        Command::Serve(Serve { args, demo: true }) => run_serve_demo(args).await,
        Command::Demo { database } => run_demo(&database).await,
        Command::Admin(args) => admin::run(args).await,
        Command::Bench(args) => meterport_bench::run(args).await,
        Command::Collect(args) => return meterport_portal::cli::run_collect(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
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
    meterport_portal::cli::serve_store(args, store, Some(report)).await
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
        assert_eq!(names, ["serve", "demo", "admin", "bench", "collect"]);
    }
}
