//! The read-side bench: a node's database filled with N certificate records
//! through the node's own execution and storage code, then that node serving
//! bundles to many concurrent clients (full and compact), and audit pages (an
//! issuer's month, a holder's history). See `docs/benchmarks.md`.
//!
//! ```text
//! cargo build --release -p yinzheng-node
//! cargo bench -p yinzheng-benches --bench read_side -- \
//!     --dir /tmp/yz-reads --records 1000000 [--clients 64 --seconds 20]
//! ```

use clap::Parser;
use yinzheng_consortium::reads::{self, ReadOptions};

#[derive(Parser)]
#[command(name = "read_side")]
struct Args {
    #[command(flatten)]
    reads: ReadOptions,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() -> eyre::Result<()> {
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(reads::run(args.reads))
}
