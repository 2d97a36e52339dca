//! Whole-system benchmarks (see `docs/benchmarks.md`): each is a bench
//! target under `benches/benches/`, run with `cargo bench -p yinzheng-benches`.
//! Component benchmarks (SM2, Merkle, batch verification) live beside their
//! crates.

use std::future::Future;

use clap::Parser;

/// A bench's command line: its own options, and the `--bench` flag `cargo
/// bench` passes (ignored).
#[derive(Parser)]
struct BenchArgs<T: clap::Args> {
    #[command(flatten)]
    opts: T,
    #[arg(long, hide = true)]
    bench: bool,
}

/// Parse a bench's options and run it on a multi-threaded runtime.
pub fn main<T, F>(run: impl FnOnce(T) -> F) -> eyre::Result<()>
where
    T: clap::Args,
    F: Future<Output = eyre::Result<()>>,
{
    let args = BenchArgs::<T>::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args.opts))
}
