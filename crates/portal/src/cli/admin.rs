//! `meterport admin ...`: operator commands against the database (SPEC O1).

#[derive(Debug, clap::Args)]
pub struct AdminArgs {}

pub async fn run(_args: AdminArgs) -> anyhow::Result<()> {
    anyhow::bail!("admin commands are being built")
}
