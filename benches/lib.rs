//! Whole-system benchmarks (see `docs/benchmarks.md`): each is a bench
//! target under `benches/benches/`, run with `cargo bench -p yinzheng-benches`.
//! Component benchmarks (SM2, Merkle, batch verification) live beside their
//! crates.
