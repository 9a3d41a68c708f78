//! The `meterport` binary: see `meterport --help`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    meterport::cli::main().await
}
