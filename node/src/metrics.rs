//! What an operator watches: the node's own metrics, and the consensus
//! engine's, served together in the Prometheus text format at `/metrics`
//! on the HTTP side. Names and the alerts worth setting on them are in
//! docs/operator-guide.md.

use std::sync::atomic::AtomicU64;
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::cpu::Timer;
use crate::store::Db;

/// Where a record was refused, and why (its reason code).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Refusal {
    /// `admission` (submitted here) or `execution` (while building a block).
    pub stage: String,
    /// The reason code, e.g. `DUPLICATE`, `UNAUTHORISED`, `BUSY`.
    pub reason: String,
}

/// Which API served a bundle, and with what result.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Served {
    /// `grpc` or `http`.
    pub api: String,
    /// `ok`, `not_found` or `error`.
    pub outcome: String,
}

/// Which execution of a block: `build` (this node's own proposal) or
/// `check` (a block another validator proposed, or one taken from sync).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Step {
    /// `build` or `check`.
    pub step: String,
}

/// Which of the node's threads ([`crate::cpu::thread_kind`]), or `all`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Threads {
    /// `all` (the whole process), `admission`, `read` or `rocksdb`.
    pub threads: String,
}

/// One column family of the database.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DbFamily {
    /// Its name (`state`, `smt_pages`, `records`…).
    pub family: String,
}

fn latency() -> Histogram {
    // 1 ms … ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// The node's metrics.
pub struct Metrics {
    registry: Registry,
    /// Height of the last committed block.
    pub height: Gauge,
    /// The consensus round of the height being decided.
    pub round: Gauge,
    /// Validators this node has heard no vote from lately (set at each
    /// height's start): their proposer turns get short timeouts.
    pub silent_validators: Gauge,
    /// From a height's first round to its commit, seconds.
    pub block_seconds: Histogram,
    /// From a record's admission here to its commit, seconds.
    pub record_seconds: Histogram,
    /// Time to execute a block (records checked, rules applied, the log and
    /// the status map updated), seconds, by step.
    pub execute_seconds: Family<Step, Histogram>,
    /// Records in the blocks executed, by step: with `execute_seconds` the
    /// execution time per record.
    pub records_executed: Family<Step, Counter>,
    /// CPU time of the thread executing blocks, by step, seconds: with
    /// `records_executed` the execution CPU per record, without the time
    /// spent waiting for a core.
    pub execute_cpu_seconds: Family<Step, Counter<f64, AtomicU64>>,
    /// Time to write a decided block to the database (one synced batch),
    /// seconds.
    pub write_seconds: Histogram,
    /// CPU time of the thread writing decided blocks, seconds.
    pub write_cpu_seconds: Counter<f64, AtomicU64>,
    /// CPU seconds used by the process and by its threads of each kind
    /// (read at each scrape; a kind's figure covers its live threads).
    pub threads_cpu_seconds: Family<Threads, Gauge<f64, AtomicU64>>,
    /// Records committed (in blocks this node committed).
    pub committed: Counter,
    /// Blocks committed.
    pub blocks: Counter,
    /// Blocks taken from peers through sync (catching up).
    pub synced: Counter,
    /// Records refused, by stage and reason.
    pub refused: Family<Refusal, Counter>,
    /// Records waiting in the mempool (read at each scrape).
    pub mempool: Gauge,
    /// Seconds since the last committed block's time (read at each scrape):
    /// grows when this node falls behind or the consortium stalls.
    pub head_age: Gauge,
    /// Bundles served, by API and outcome.
    pub bundles: Family<Served, Counter>,
    /// Time to build and send a bundle, seconds, by API and outcome.
    pub bundle_seconds: Family<Served, Histogram>,
    /// Bytes of SST files per column family (read at each scrape).
    pub db_sst_bytes: Family<DbFamily, Gauge>,
    /// Bytes of blob files per column family (read at each scrape).
    pub db_blob_bytes: Family<DbFamily, Gauge>,
    /// Bytes held in memtables per column family (read at each scrape).
    pub db_memtable_bytes: Family<DbFamily, Gauge>,
    /// Bytes compaction still has to rewrite, per column family.
    pub db_pending_compaction_bytes: Family<DbFamily, Gauge>,
    /// Compactions running now.
    pub db_running_compactions: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Create and register every metric (prefix `yinzheng_`).
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("yinzheng");
        let m = Metrics {
            height: Gauge::default(),
            round: Gauge::default(),
            silent_validators: Gauge::default(),
            block_seconds: latency(),
            record_seconds: latency(),
            execute_seconds: Family::new_with_constructor(latency),
            records_executed: Family::default(),
            execute_cpu_seconds: Family::default(),
            write_seconds: latency(),
            write_cpu_seconds: Counter::default(),
            threads_cpu_seconds: Family::default(),
            committed: Counter::default(),
            blocks: Counter::default(),
            synced: Counter::default(),
            refused: Family::default(),
            mempool: Gauge::default(),
            head_age: Gauge::default(),
            bundles: Family::default(),
            bundle_seconds: Family::new_with_constructor(latency),
            db_sst_bytes: Family::default(),
            db_blob_bytes: Family::default(),
            db_memtable_bytes: Family::default(),
            db_pending_compaction_bytes: Family::default(),
            db_running_compactions: Gauge::default(),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register(
            "height",
            "Height of the last committed block",
            m.height.clone(),
        );
        r.register(
            "round",
            "Consensus round of the height being decided",
            m.round.clone(),
        );
        r.register(
            "silent_validators",
            "Validators heard from by no vote lately (their proposer turns time out quickly)",
            m.silent_validators.clone(),
        );
        r.register(
            "block_commit_seconds",
            "Time from a height's first round to its commit",
            m.block_seconds.clone(),
        );
        r.register(
            "record_commit_seconds",
            "Time from a record's admission at this node to its commit",
            m.record_seconds.clone(),
        );
        r.register(
            "block_execute_seconds",
            "Time to execute a block, by step (build: our proposal; check: another's, or a synced one)",
            m.execute_seconds.clone(),
        );
        r.register(
            "records_executed",
            "Records in the blocks executed, by step",
            m.records_executed.clone(),
        );
        r.register(
            "block_write_seconds",
            "Time to write a decided block to the database",
            m.write_seconds.clone(),
        );
        r.register(
            "block_execute_cpu_seconds",
            "CPU time of the thread executing blocks, by step",
            m.execute_cpu_seconds.clone(),
        );
        r.register(
            "block_write_cpu_seconds",
            "CPU time of the thread writing decided blocks",
            m.write_cpu_seconds.clone(),
        );
        r.register(
            "threads_cpu_seconds",
            "CPU seconds used by the process (all) and by its admission, read and RocksDB threads",
            m.threads_cpu_seconds.clone(),
        );
        r.register(
            "records_committed",
            "Records committed",
            m.committed.clone(),
        );
        r.register("blocks_committed", "Blocks committed", m.blocks.clone());
        r.register(
            "blocks_synced",
            "Decided blocks received from peers through sync",
            m.synced.clone(),
        );
        r.register(
            "records_refused",
            "Records refused, by stage (admission, execution) and reason code",
            m.refused.clone(),
        );
        r.register(
            "mempool_records",
            "Records waiting in the mempool",
            m.mempool.clone(),
        );
        r.register(
            "head_age_seconds",
            "Seconds since the time of the last committed block",
            m.head_age.clone(),
        );
        r.register(
            "bundle_requests",
            "Bundles served, by API and outcome",
            m.bundles.clone(),
        );
        r.register(
            "bundle_seconds",
            "Time to build a bundle, by API and outcome",
            m.bundle_seconds.clone(),
        );
        r.register(
            "db_sst_bytes",
            "Bytes of RocksDB SST files per column family",
            m.db_sst_bytes.clone(),
        );
        r.register(
            "db_blob_bytes",
            "Bytes of RocksDB blob files per column family",
            m.db_blob_bytes.clone(),
        );
        r.register(
            "db_memtable_bytes",
            "Bytes in RocksDB memtables per column family",
            m.db_memtable_bytes.clone(),
        );
        r.register(
            "db_pending_compaction_bytes",
            "Bytes RocksDB compaction has yet to rewrite, per column family",
            m.db_pending_compaction_bytes.clone(),
        );
        r.register(
            "db_running_compactions",
            "RocksDB compactions running",
            m.db_running_compactions.clone(),
        );
        Metrics { registry, ..m }
    }

    /// Count a refused record.
    pub fn refuse(&self, stage: &str, reason: &str) {
        self.refused
            .get_or_create(&Refusal {
                stage: stage.to_owned(),
                reason: reason.to_owned(),
            })
            .inc();
    }

    /// Count a block of `records` records executed on this thread since
    /// `started`.
    pub fn executed(&self, step: &str, records: usize, started: Timer) {
        let l = Step {
            step: step.to_owned(),
        };
        self.execute_seconds
            .get_or_create(&l)
            .observe(started.wall().as_secs_f64());
        self.execute_cpu_seconds
            .get_or_create(&l)
            .inc_by(started.cpu().as_secs_f64());
        self.records_executed
            .get_or_create(&l)
            .inc_by(records as u64);
    }

    /// Count a decided block written on this thread since `started`.
    pub fn wrote(&self, started: Timer) {
        self.write_seconds.observe(started.wall().as_secs_f64());
        self.write_cpu_seconds.inc_by(started.cpu().as_secs_f64());
    }

    /// Refresh the process's and its threads' CPU seconds.
    pub fn read_cpu(&self) {
        for (kind, seconds) in crate::cpu::process_threads() {
            self.threads_cpu_seconds
                .get_or_create(&Threads {
                    threads: kind.to_owned(),
                })
                .set(seconds);
        }
    }

    /// Count a bundle served since `started`.
    pub fn bundle(&self, api: &str, outcome: &str, started: Instant) {
        let l = Served {
            api: api.to_owned(),
            outcome: outcome.to_owned(),
        };
        self.bundles.get_or_create(&l).inc();
        self.bundle_seconds
            .get_or_create(&l)
            .observe(started.elapsed().as_secs_f64());
    }

    /// Read the database's figures.
    pub fn read_db(&self, db: &Db) {
        for s in db.stats() {
            let l = DbFamily {
                family: s.family.to_owned(),
            };
            self.db_sst_bytes.get_or_create(&l).set(gauge(s.sst_bytes));
            self.db_blob_bytes
                .get_or_create(&l)
                .set(gauge(s.blob_bytes));
            self.db_memtable_bytes
                .get_or_create(&l)
                .set(gauge(s.memtable_bytes));
            self.db_pending_compaction_bytes
                .get_or_create(&l)
                .set(gauge(s.pending_compaction_bytes));
        }
        self.db_running_compactions
            .set(gauge(db.running_compactions()));
    }

    /// Ours, then the consensus engine's, in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        // One `# EOF` at the very end, after the engine's metrics.
        if let Some(i) = out.rfind("# EOF") {
            out.truncate(i);
        }
        malachitebft_metrics::export(&mut out);
        out
    }
}

fn gauge(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
