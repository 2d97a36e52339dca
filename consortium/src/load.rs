//! The load benchmark: a fresh local 4-validator consortium, SM2-signed
//! certificate records submitted at a target rate round-robin to the live
//! validators, commits observed on a block stream. Reports committed
//! records/s, submit→commit latency (p50, p99), CPU per node and, from
//! each node's metrics, its CPU per record by part, and the efficiency
//! ratio records/s ÷ (cores × SM2 verifies/s per core ÷ validators), the
//! SM2 figure measured before the load and after it, the faster counting.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eyre::eyre;
use rayon::prelude::*;
use tokio_stream::StreamExt;
use yinzheng_crypto::{Signer as _, SigningKey, Suite, VerifyingKey};
use yinzheng_genesis::samples::Samples;
use yinzheng_genesis::testnet::{self, Testnet, TestnetOptions};
use yinzheng_ledger::Record;

use crate::cluster::{self, Cluster};
use crate::scrape::CpuParts;
use tonic::transport::Channel;
use yinzheng_node::app::now_ms;
use yinzheng_node::chain::Chain;
use yinzheng_node::config::NodeConfig;
use yinzheng_node::proto::node_client::NodeClient;
use yinzheng_node::proto::{InfoRequest, StreamBlocksRequest, SubmitRequest};

/// Load options.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadOptions {
    /// Where to create the consortium (must not exist yet).
    #[arg(long)]
    pub dir: PathBuf,
    /// Records to submit.
    #[arg(long, default_value_t = 20_000)]
    pub records: usize,
    /// Target submission rate, records/s.
    #[arg(long, default_value_t = 3000)]
    pub rate: u64,
    /// Validators to kill (`kill -9`) before the load starts.
    #[arg(long, default_value_t = 0)]
    pub down: usize,
    /// Submissions in flight per live validator (each waits for its
    /// record's synced admission before the next).
    #[arg(long, default_value_t = 8)]
    pub in_flight: usize,
    /// Start from a copy of a consortium the read bench filled (its
    /// `--dir`): node 0's database is given to every validator (its table
    /// and blob files hard-linked, the rest copied), so the load runs on a
    /// ledger that already holds those records. The ports are the copied
    /// configurations' own.
    #[arg(long)]
    pub prefilled: Option<PathBuf>,
    /// Records submitted (at the same rate) and committed before the
    /// measured ones, outside every figure: a node that has just started
    /// fills its block cache and memtables from fresh memory, and on a
    /// large ledger its first blocks read their pages from the files.
    #[arg(long, default_value_t = 0)]
    pub warm_up: usize,
    /// First libp2p port (gRPC ports start 100 above... see --grpc-port).
    #[arg(long, default_value_t = 28650)]
    pub p2p_port: u16,
    /// First gRPC port.
    #[arg(long, default_value_t = 52050)]
    pub grpc_port: u16,
}

/// CPU seconds (user + system) a process has used, from /proc.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    yinzheng_node::cpu::stat_seconds(&stat)
}

/// SM2 verifications per second on one core, measured here.
/// SM2 verifications per second on one core: a key's first uses (the
/// ordinary path), and a hot key (its fixed-base table, what an issuer's
/// key is after 64 verifications), on 256 distinct signatures.
fn sm2_verifies_per_core() -> eyre::Result<(f64, f64)> {
    let key = SigningKey::generate(Suite::Sm).map_err(|e| eyre!("{e}"))?;
    let VerifyingKey::Sm2(vk) = key.verifying_key() else {
        return Err(eyre!("not an SM2 key"));
    };
    let msgs: Vec<Vec<u8>> = (0..256u32).map(|i| i.to_be_bytes().to_vec()).collect();
    let sigs = msgs
        .iter()
        .map(|m| key.sign(m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| eyre!("{e}"))?;
    let n = 3000;
    let t = Instant::now();
    for i in 0..n {
        vk.verify_ordinary(&msgs[i % 256], &sigs[i % 256])
            .map_err(|e| eyre!("{e}"))?;
    }
    let ordinary = n as f64 / t.elapsed().as_secs_f64();
    vk.make_hot();
    let t = Instant::now();
    for i in 0..n {
        vk.verify(&msgs[i % 256], &sigs[i % 256])
            .map_err(|e| eyre!("{e}"))?;
    }
    Ok((ordinary, n as f64 / t.elapsed().as_secs_f64()))
}

/// The `p` quantile (0–1) of sorted samples, by nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    // Nearest rank: the smallest sample with at least p of them at or below it.
    let rank = (1..=sorted.len())
        .find(|k| *k as f64 >= p * sorted.len() as f64)
        .unwrap_or(sorted.len());
    sorted[rank - 1]
}

/// Copy `src` to `dst` as `cp -a` does (a database of a gigabyte or more).
pub(crate) fn copy(src: &Path, dst: &Path) -> eyre::Result<()> {
    let ok = Command::new("cp")
        .arg("-a")
        .arg(src)
        .arg(dst)
        .status()?
        .success();
    ok.then_some(())
        .ok_or_else(|| eyre!("cannot copy {} to {}", src.display(), dst.display()))
}

/// Give `dst` the database `src` as RocksDB's own checkpoints do: its table
/// and blob files hard-linked (RocksDB never changes one once written, and a
/// validator's compactions only unlink its own names for them), everything
/// else (manifest, options, write-ahead log) copied. Four validators on one
/// machine then share the operating system's page cache for the prefilled
/// files, as four machines would each cache their own: four copies of a
/// five-million-record database did not fit in this machine's memory beside
/// each other, and the runs read status-map pages from the disk
/// (`docs/benchmarks.md`). A file that cannot be linked is copied.
fn link_database(src: &Path, dst: &Path) -> eyre::Result<()> {
    std::fs::create_dir_all(dst)?;
    for entry in std::fs::read_dir(src)? {
        let entry = entry?;
        let (from, to) = (entry.path(), dst.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            copy(&from, &to)?;
            continue;
        }
        let immutable = matches!(
            from.extension().and_then(|e| e.to_str()),
            Some("sst" | "blob")
        );
        if !(immutable && std::fs::hard_link(&from, &to).is_ok()) {
            std::fs::copy(&from, &to).map_err(|e| eyre!("cannot copy {}: {e}", from.display()))?;
        }
    }
    Ok(())
}

/// A copy in `to` of the consortium in `from` whose node 0 holds a filled
/// database: the genesis, the issuer keys, each validator's configuration
/// and keys, and node 0's database for every validator ([`link_database`];
/// no consensus WAL: each starts a fresh one). Returns it with the records
/// it holds.
fn copy_prefilled(from: &Path, to: &Path) -> eyre::Result<(Testnet, u64)> {
    if to.exists() {
        return Err(eyre!("{} exists: give a new directory", to.display()));
    }
    let src = yinzheng_node::testnet::open(from)?;
    let db = NodeConfig::load(&src.nodes[0].dir.join("config.toml"))
        .map_err(|e| eyre!("{e}"))?
        .db;
    std::fs::create_dir_all(to)?;
    copy(&src.genesis_path, &to.join("genesis.json"))?;
    copy(&src.keys_dir, &to.join("keys"))?;
    eprintln!(
        "giving node 0's database to {} validators (tables and blob files linked) …",
        src.nodes.len()
    );
    for n in &src.nodes {
        let d = to.join(&n.moniker);
        std::fs::create_dir_all(&d)?;
        for f in ["config.toml", "consensus.pem", "p2p.pem"] {
            copy(&n.dir.join(f), &d.join(f))?;
        }
        link_database(&db, &d.join("db"))?;
    }
    // Write the copies out before the nodes start: otherwise the kernel
    // writes gigabytes back during the first blocks, whose synced writes can
    // wait behind them.
    eprintln!("writing the copies to disk …");
    let synced = std::process::Command::new("sync").status()?.success();
    synced
        .then_some(())
        .ok_or_else(|| eyre!("sync failed after copying the databases"))?;
    let net = yinzheng_node::testnet::open(to)?;
    let config =
        NodeConfig::load(&net.nodes[0].dir.join("config.toml")).map_err(|e| eyre!("{e}"))?;
    let records = Chain::open(&config.db, &net.genesis)
        .map_err(|e| eyre!("{e}"))?
        .head()
        .tip
        .log_size;
    Ok((net, records))
}

/// Each node's CPU seconds by part, from its metrics (`http`: each node's
/// HTTP side, if it has one).
async fn cpu_parts(http: &[Option<String>]) -> Vec<eyre::Result<CpuParts>> {
    let http = http.to_vec();
    tokio::task::spawn_blocking(move || {
        http.iter()
            .map(|a| {
                let a = a.as_deref().ok_or_else(|| eyre!("no http_listen"))?;
                Ok(CpuParts::from_metrics(&crate::scrape::metrics(a)?))
            })
            .collect()
    })
    .await
    .unwrap_or_default()
}

/// One batch of records submitted and followed to their commits.
struct Phase {
    records: Arc<Vec<Record>>,
    submitted: Arc<Mutex<HashMap<[u8; 32], Instant>>>,
    latencies: Arc<Mutex<Vec<Duration>>>,
    watcher: tokio::task::JoinHandle<eyre::Result<Instant>>,
}

impl Phase {
    /// Subscribe to the blocks of the first live validator, from the next
    /// height on, before anything is submitted.
    async fn start(clients: &[NodeClient<Channel>], records: Vec<Record>) -> eyre::Result<Phase> {
        let submitted: Arc<Mutex<HashMap<[u8; 32], Instant>>> =
            Arc::new(Mutex::new(HashMap::new()));
        let latencies: Arc<Mutex<Vec<Duration>>> = Arc::new(Mutex::new(Vec::new()));
        let mut c = clients
            .first()
            .ok_or_else(|| eyre!("no live validator"))?
            .clone();
        let h = c.get_info(InfoRequest {}).await?.into_inner().height;
        let mut stream = c
            .stream_blocks(StreamBlocksRequest { from_height: h + 1 })
            .await?
            .into_inner();
        let watcher = {
            let submitted = submitted.clone();
            let latencies = latencies.clone();
            let total = records.len();
            tokio::spawn(async move {
                let mut seen = 0usize;
                let mut last = Instant::now();
                while let Some(b) = stream.next().await {
                    let b = b?;
                    let at = Instant::now();
                    let sub = submitted.lock().map_err(|_| eyre!("lock"))?;
                    let mut lat = latencies.lock().map_err(|_| eyre!("lock"))?;
                    for id in &b.record_ids {
                        let Ok(k) = <[u8; 32]>::try_from(id.as_slice()) else {
                            continue;
                        };
                        if let Some(t) = sub.get(&k) {
                            lat.push(at - *t);
                            seen += 1;
                            last = at;
                        }
                    }
                    if seen >= total {
                        break;
                    }
                }
                Ok::<_, eyre::Report>(last)
            })
        };
        Ok(Phase {
            records: Arc::new(records),
            submitted,
            latencies,
            watcher,
        })
    }

    /// Submit every record at the rate, round-robin over the live
    /// validators with `in_flight` submissions each; when it started, how
    /// long it took and how many `BUSY` answers were retried.
    async fn submit(
        &self,
        clients: &[NodeClient<Channel>],
        opts: &LoadOptions,
    ) -> eyre::Result<(Instant, Duration, u64)> {
        let start = Instant::now();
        let per_task = opts.in_flight.max(1);
        let tasks = clients.len() * per_task;
        let interval = Duration::from_secs_f64(tasks as f64 / opts.rate as f64);
        let mut handles = Vec::new();
        for t in 0..tasks {
            let mut c = clients[t % clients.len()].clone();
            let records = self.records.clone();
            let submitted = self.submitted.clone();
            handles.push(tokio::spawn(async move {
                let mut busy = 0u64;
                let mut next = Instant::now();
                for r in records.iter().skip(t).step_by(tasks) {
                    tokio::time::sleep_until(next.into()).await;
                    next += interval;
                    loop {
                        if let Ok(mut s) = submitted.lock() {
                            s.insert(r.id().0, Instant::now());
                        }
                        match c
                            .submit(SubmitRequest {
                                record: r.bytes().to_vec(),
                                wait: false,
                            })
                            .await
                        {
                            Ok(_) => break,
                            Err(s) if s.code() == tonic::Code::ResourceExhausted => {
                                busy += 1;
                                tokio::time::sleep(Duration::from_millis(50)).await;
                            }
                            Err(s) => return Err(eyre!("submit: {}", s.message())),
                        }
                    }
                }
                Ok::<_, eyre::Report>(busy)
            }));
        }
        let mut busy = 0;
        for h in handles {
            busy += h.await??;
        }
        Ok((start, start.elapsed(), busy))
    }

    /// Wait until every record committed (at most 120 s after the last
    /// submission); when the last did, and each one's submit→commit time.
    async fn committed(self) -> eyre::Result<(Instant, Vec<Duration>)> {
        let last = tokio::time::timeout(Duration::from_secs(120), self.watcher)
            .await
            .map_err(|_| {
                eyre!("not every record committed within 120 s of the last submission")
            })???;
        let lat = self.latencies.lock().map_err(|_| eyre!("lock"))?.clone();
        Ok((last, lat))
    }
}

/// Run the load benchmark and print its report.
pub async fn run(opts: LoadOptions) -> eyre::Result<()> {
    let (verifies, hot_verifies) = sm2_verifies_per_core()?;
    let exe = cluster::node_binary()?;
    let (net, before) = match &opts.prefilled {
        Some(from) => copy_prefilled(from, &opts.dir)?,
        None => (
            cluster::create(
                &opts.dir,
                &TestnetOptions {
                    chain_id: "yinzheng-load".into(),
                    validators: 4,
                    p2p_base_port: opts.p2p_port,
                    grpc_base_port: opts.grpc_port,
                    genesis_time_ms: now_ms(),
                },
            )?,
            0,
        ),
    };
    let keys = testnet::issuer_keys(&net.keys_dir).map_err(|e| eyre!("{e}"))?;
    let samples = Samples::new(&net.genesis, keys).map_err(|e| eyre!("{e}"))?;
    eprintln!(
        "signing {} certificate records (and {} to warm up) …",
        opts.records, opts.warm_up
    );
    let now = now_ms();
    let sign = |prefix: &'static str, n: usize| {
        (0..n)
            .into_par_iter()
            .map(|k| {
                let no = format!("{prefix}{k:010}");
                samples.certificate(&no, no.as_bytes(), "holder", now)
            })
            .collect::<Result<Vec<Record>, _>>()
            .map_err(|e| eyre!("{e}"))
    };
    let warm = sign("WARM", opts.warm_up)?;
    let records = sign("LOAD", opts.records)?;
    let mut cluster = Cluster::new(net, exe);
    cluster.start_all()?;
    let mut clients = Vec::new();
    for i in 0..cluster.len() {
        clients.push(cluster.client(i, Duration::from_secs(60)).await?);
    }
    let mut start_height = 0;
    for c in &mut clients {
        let h = c.get_info(InfoRequest {}).await?.into_inner().height;
        start_height = start_height.max(h);
    }
    cluster::wait_height(&mut clients, start_height + 2, Duration::from_secs(120)).await?;
    let live: Vec<usize> = (opts.down..cluster.len()).collect();
    for i in 0..opts.down {
        cluster.kill(i);
    }
    let live_clients: Vec<NodeClient<Channel>> = live.iter().map(|i| clients[*i].clone()).collect();
    if !warm.is_empty() {
        eprintln!("warming up with {} records …", warm.len());
        let t = Instant::now();
        let phase = Phase::start(&live_clients, warm).await?;
        phase.submit(&live_clients, &opts).await?;
        phase.committed().await?;
        eprintln!("warmed up in {:.1} s", t.elapsed().as_secs_f64());
    }
    let pids: Vec<(usize, u32)> = live
        .iter()
        .filter_map(|i| cluster.pid(*i).map(|p| (*i, p)))
        .collect();
    let cpu0: Vec<f64> = pids
        .iter()
        .map(|(_, p)| cpu_seconds(*p).unwrap_or(0.0))
        .collect();
    let http: Vec<Option<String>> = pids
        .iter()
        .map(|(i, _)| {
            NodeConfig::load(&cluster.net.nodes[*i].dir.join("config.toml"))
                .ok()
                .and_then(|c| c.http_listen)
        })
        .collect();
    let parts0 = cpu_parts(&http).await;

    eprintln!(
        "submitting {} records at {} records/s to {} validators …",
        records.len(),
        opts.rate,
        live.len()
    );
    let phase = Phase::start(&live_clients, records).await?;
    let (start, submit_time, busy) = phase.submit(&live_clients, &opts).await?;
    let (last, mut lat) = phase.committed().await?;
    let elapsed = last - start;
    let cpu1: Vec<f64> = pids
        .iter()
        .map(|(_, p)| cpu_seconds(*p).unwrap_or(0.0))
        .collect();
    let parts1 = cpu_parts(&http).await;
    lat.sort();
    let n = lat.len();
    let rps = n as f64 / elapsed.as_secs_f64();
    // The machine's speed drifts within a run: the SM2 baseline is measured
    // again once the nodes are stopped, and the faster of the two counts
    // (the lower, more cautious efficiency).
    let validators = cluster.len();
    drop(cluster);
    let (verifies_after, hot_after) = sm2_verifies_per_core()?;
    let (verifies_before, hot_before) = (verifies, hot_verifies);
    let verifies = verifies_before.max(verifies_after);
    let hot_verifies = hot_before.max(hot_after);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get()) as f64;
    let ideal = cores * verifies / validators as f64;
    println!(
        "load: {} validators ({} down), {} records, {before} committed before, {} more to warm up",
        validators, opts.down, n, opts.warm_up
    );
    println!(
        "  submitted in         {:.2} s (target {} records/s, {busy} busy retries)",
        submit_time.as_secs_f64(),
        opts.rate
    );
    println!("  committed records/s  {rps:.0}");
    println!(
        "  submit→commit p50    {} ms",
        percentile(&lat, 0.50).as_millis()
    );
    println!(
        "  submit→commit p99    {} ms",
        percentile(&lat, 0.99).as_millis()
    );
    for ((i, _), (a, b)) in pids.iter().zip(cpu0.iter().zip(&cpu1)) {
        println!(
            "  CPU node {i}           {:.0}% of one core",
            100.0 * (b - a) / elapsed.as_secs_f64()
        );
    }
    for ((i, _), (a, b)) in pids.iter().zip(parts0.iter().zip(&parts1)) {
        match (a, b) {
            (Ok(a), Ok(b)) => println!("  CPU/record node {i}    {}", b.since(a).per_record(n)),
            (Err(e), _) | (_, Err(e)) => println!("  CPU/record node {i}    not read: {e}"),
        }
    }
    println!(
        "  SM2 verifies/s/core  {verifies:.0} (a key's first uses), {hot_verifies:.0} (a hot key); \
         the faster of {verifies_before:.0} / {hot_before:.0} before the load and \
         {verifies_after:.0} / {hot_after:.0} after it"
    );
    println!(
        "  efficiency           {:.3} (records/s ÷ ({cores} cores × {verifies:.0} ÷ {validators} validators))",
        rps / ideal,
    );
    println!(
        "  against a hot key    {:.3} (records/s ÷ ({cores} cores × {hot_verifies:.0} ÷ {validators} validators))",
        rps / (cores * hot_verifies / validators as f64),
    );
    Ok(())
}
