//! The status map's own cost per key as it grows, with every node in
//! memory: no pages, no RocksDB, only the tree's walk and its SM3.
//!
//! A map is grown to each size given (millions of keys; a certificate record
//! adds two keys), then blocks of fresh keys are inserted with
//! `insert_batch`, as a block's execution inserts them. It prints the median
//! time per key, the mean depth of the last block's leaves and the process's
//! resident memory. It separates what the tree itself costs as it deepens
//! from what the node's storage of it costs (`docs/benchmarks.md`).
//!
//! Run: `cargo run --release -p yinzheng-ledger --example smt_growth --
//! [SIZES_IN_MILLIONS_OF_KEYS] [--block KEYS] [--blocks N]`, for example
//! `-- 0.5,2,10 --block 2000 --blocks 15`.

#![allow(clippy::cast_possible_truncation)] // sizes given in millions, read as whole keys

use std::time::Instant;

use yinzheng_ledger::crypto::{Digest, Suite};
use yinzheng_ledger::merkle::{MemSmtStore, StatusMap};

struct Args {
    sizes: Vec<u64>,
    block: u64,
    blocks: usize,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        sizes: vec![500_000, 2_000_000, 10_000_000],
        block: 2_000,
        blocks: 15,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} wants a value"));
        match a.as_str() {
            "--block" => {
                args.block = value("--block")?.parse().map_err(|e| format!("{e}"))?;
            }
            "--blocks" => {
                args.blocks = value("--blocks")?.parse().map_err(|e| format!("{e}"))?;
            }
            sizes => {
                args.sizes = sizes
                    .split(',')
                    .map(|m| {
                        m.parse::<f64>()
                            .map(|m| (m * 1e6).round() as u64)
                            .map_err(|e| format!("size {m}: {e}"))
                    })
                    .collect::<Result<_, _>>()?;
                args.sizes.sort_unstable();
            }
        }
    }
    if args.block == 0 || args.blocks == 0 {
        return Err("--block and --blocks want at least 1".into());
    }
    Ok(args)
}

fn key(i: u64) -> Digest {
    Suite::Sm.hash(&i.to_be_bytes())
}

/// Resident memory in MiB, where the system says (Linux).
fn rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

fn main() {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("smt_growth: {e}");
            std::process::exit(2);
        }
    };
    let value = b"active".to_vec();
    let mut map = StatusMap::open(Suite::Sm, MemSmtStore::default());
    let mut next = 0u64;
    println!(
        "keys in the map | µs per key inserted (median of {} blocks of {}) | mean leaf depth | resident MiB",
        args.blocks, args.block
    );
    for &size in &args.sizes {
        // Grow to the size in large batches (not timed).
        while next < size {
            let end = size.min(next + 200_000);
            let keys: Vec<Digest> = (next..end).map(key).collect();
            map.insert_batch(keys.iter().map(|k| (k, value.as_slice())))
                .expect("in memory");
            next = end;
        }
        let mut per_key = Vec::with_capacity(args.blocks);
        let mut keys = Vec::new();
        for _ in 0..args.blocks {
            keys = (next..next + args.block).map(key).collect();
            next += args.block;
            let t = Instant::now();
            map.insert_batch(keys.iter().map(|k| (k, value.as_slice())))
                .expect("in memory");
            per_key.push(t.elapsed().as_secs_f64() * 1e6 / args.block as f64);
        }
        per_key.sort_by(f64::total_cmp);
        // The mean depth of the last block's leaves: a proof's length.
        let depths: usize = keys
            .iter()
            .map(|k| map.prove(k).expect("in memory").siblings.len())
            .sum();
        let depth = depths as f64 / keys.len() as f64;
        println!(
            "{size} | {:.2} | {depth:.1} | {}",
            per_key[per_key.len() / 2],
            rss_mib().map_or("n/a".into(), |m| m.to_string())
        );
    }
}
