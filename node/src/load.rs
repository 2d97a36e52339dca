//! The load generator: a fresh local consortium, SM2-signed certificate
//! records submitted round-robin to all validators, and the figures the
//! benchmark reports (committed records/s, submit→commit latency, CPU).

use std::path::PathBuf;

/// Load options.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadOptions {
    /// Where to create the consortium (a fresh directory).
    #[arg(long)]
    pub dir: PathBuf,
}

/// Run the load benchmark.
pub async fn run(_opts: LoadOptions) -> eyre::Result<()> {
    Err(eyre::eyre!("not written yet"))
}
