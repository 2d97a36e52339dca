//! The read-side bench: a node's database filled with N certificate records
//! through the node's own execution and storage code, then that node serving
//! bundles to many concurrent clients (full and compact), and audit pages (an
//! issuer's month, a holder's history). With `--catch-up SECONDS` on a
//! filled database: an observer started from empty syncs it from one member
//! instead (blocks/s, records/s). See `docs/benchmarks.md`.
//!
//! ```text
//! cargo build --release -p yinzheng-node
//! cargo bench -p yinzheng-benches --bench read_side -- \
//!     --dir /tmp/yz-reads --records 1000000 [--clients 64 --seconds 20]
//! cargo bench -p yinzheng-benches --bench read_side -- \
//!     --dir /tmp/yz-reads --reuse --warm-up 30 --block-cache-mb 1024 --rate 5000
//! cargo bench -p yinzheng-benches --bench read_side -- \
//!     --dir /tmp/yz-reads --reuse --catch-up 600
//! ```

use yinzheng_consortium::reads;

fn main() -> eyre::Result<()> {
    yinzheng_benches::main(reads::run)
}
