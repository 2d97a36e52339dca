//! The load bench's reading of a node's `/metrics`: one plain HTTP/1.0
//! GET, and the CPU figures that split a node's CPU per record into
//! admission (signature checks), execution, storage and the rest
//! (`docs/operator-guide.md`, "Metrics").

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use eyre::{WrapErr, eyre};

/// The body of `GET /metrics` from the node's HTTP side at `addr`
/// (`host:port`).
pub fn metrics(addr: &str) -> eyre::Result<String> {
    let mut s = TcpStream::connect(addr).wrap_err_with(|| format!("connecting to {addr}"))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(b"GET /metrics HTTP/1.0\r\nHost: node\r\n\r\n")?;
    let mut text = String::new();
    s.read_to_string(&mut text)
        .wrap_err_with(|| format!("reading {addr}/metrics"))?;
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| eyre!("{addr}/metrics: no header end"))?;
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        return Err(eyre!(
            "{addr}/metrics: {}",
            head.lines().next().unwrap_or("")
        ));
    }
    Ok(body.to_owned())
}

/// Every sample in a Prometheus text exposition, by its name with labels
/// (`name{label="v"}`, as written).
pub fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            // Label values here hold no spaces: the value follows the last
            // space (or the one before a timestamp, which the node omits).
            let (name, value) = l.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// A node's CPU seconds by part, as its metrics count them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CpuParts {
    /// The whole process.
    pub all: f64,
    /// The admission threads: checking submitted and relayed records.
    pub admission: f64,
    /// The thread executing blocks (building and checking).
    pub execution: f64,
    /// The thread writing decided blocks.
    pub write: f64,
    /// RocksDB's background threads (flushes, compactions).
    pub rocksdb: f64,
}

impl CpuParts {
    /// The parts in a `/metrics` body.
    pub fn from_metrics(text: &str) -> CpuParts {
        let s = samples(text);
        let sum = |prefix: &str| -> f64 {
            s.iter()
                .filter(|(k, _)| k.as_str() == prefix || k.starts_with(&format!("{prefix}{{")))
                .map(|(_, v)| *v)
                .sum()
        };
        let threads = |kind: &str| {
            s.get(&format!(
                "yinzheng_threads_cpu_seconds{{threads=\"{kind}\"}}"
            ))
            .copied()
            .unwrap_or(0.0)
        };
        CpuParts {
            all: threads("all"),
            admission: threads("admission"),
            execution: sum("yinzheng_block_execute_cpu_seconds_total"),
            write: sum("yinzheng_block_write_cpu_seconds_total"),
            rocksdb: threads("rocksdb"),
        }
    }

    /// What was used from `before` to `self`.
    pub fn since(&self, before: &CpuParts) -> CpuParts {
        CpuParts {
            all: self.all - before.all,
            admission: self.admission - before.admission,
            execution: self.execution - before.execution,
            write: self.write - before.write,
            rocksdb: self.rocksdb - before.rocksdb,
        }
    }

    /// The parts per record in microseconds, as the bench prints them.
    pub fn per_record(&self, records: usize) -> String {
        let us = |s: f64| 1e6 * s / records.max(1) as f64;
        let rest = self.all - self.admission - self.execution - self.write - self.rocksdb;
        format!(
            "{:.0} µs: admission {:.0}, execution {:.0}, block writes {:.0}, RocksDB threads {:.0}, the rest {:.0}",
            us(self.all),
            us(self.admission),
            us(self.execution),
            us(self.write),
            us(self.rocksdb),
            us(rest)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "# HELP yinzheng_threads_cpu_seconds CPU seconds.\n\
        # TYPE yinzheng_threads_cpu_seconds gauge\n\
        yinzheng_threads_cpu_seconds{threads=\"all\"} 10.5\n\
        yinzheng_threads_cpu_seconds{threads=\"admission\"} 3.0\n\
        yinzheng_threads_cpu_seconds{threads=\"rocksdb\"} 0.5\n\
        yinzheng_block_execute_cpu_seconds_total{step=\"build\"} 0.25\n\
        yinzheng_block_execute_cpu_seconds_total{step=\"check\"} 1.75\n\
        yinzheng_block_execute_cpu_seconds_total_extra 99\n\
        yinzheng_block_write_cpu_seconds_total 1.0\n\
        # EOF\n";

    #[test]
    fn the_parts_are_read_and_split_per_record() {
        let p = CpuParts::from_metrics(BODY);
        assert_eq!(
            p,
            CpuParts {
                all: 10.5,
                admission: 3.0,
                execution: 2.0,
                write: 1.0,
                rocksdb: 0.5,
            }
        );
        let d = p.since(&CpuParts {
            all: 0.5,
            ..CpuParts::default()
        });
        assert_eq!(
            d.per_record(10_000),
            "1000 µs: admission 300, execution 200, block writes 100, RocksDB threads 50, the rest 350"
        );
    }

    #[test]
    fn a_body_without_the_figures_reads_as_zero() {
        assert_eq!(CpuParts::from_metrics("garbage\n"), CpuParts::default());
    }
}
