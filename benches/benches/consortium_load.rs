//! The consortium load bench: a fresh local 4-validator consortium of real
//! `yinzheng-node` processes (release build), records submitted at a target
//! rate, committed records/s, submit→commit latency percentiles, CPU per
//! record and the SM2 baseline measured in the same run.
//!
//! ```text
//! cargo build --release -p yinzheng-node
//! cargo bench -p yinzheng-benches --bench consortium_load -- \
//!     --dir /tmp/yz-load --records 20000 --rate 3000 [--down 1]
//! ```

use yinzheng_consortium::load;

fn main() -> eyre::Result<()> {
    yinzheng_benches::main(load::run)
}
