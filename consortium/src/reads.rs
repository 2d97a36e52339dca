//! The read-side benchmark: a node's database filled with N certificate
//! records through the node's own execution and storage code (blocks
//! assembled by `Chain::prepare`, certified by the validators' keys as the
//! engine's precommits would be, committed by `Chain::commit`), then an
//! observer started on that database (no consensus key: it never votes and
//! takes no submissions; alone, it only serves) and asked for bundles by
//! many concurrent clients, and for audit pages. With `--servers 2` a second
//! observer serves a copy of it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use eyre::{WrapErr, eyre};
use rayon::prelude::*;
use yinzheng_crypto::Digest;
use yinzheng_genesis::consortium::CERT_TYPE;
use yinzheng_genesis::samples::Samples;
use yinzheng_genesis::testnet::{self, TestnetOptions};
use yinzheng_ledger::holder::HolderSalt;
use yinzheng_ledger::{Outcome, sign_commit};
use yinzheng_node::app::now_ms;
use yinzheng_node::chain::Chain;
use yinzheng_node::config::NodeConfig;
use yinzheng_node::proto::audit_request::Query;
use yinzheng_node::proto::subject_ref::By;
use yinzheng_node::proto::{AuditRequest, BundleRequest, CertificateQuery, SubjectRef};

use crate::cluster::{self, Client};

/// Read-side options.
#[derive(Debug, Clone, clap::Args)]
pub struct ReadOptions {
    /// Where to create the consortium (must not exist yet, unless --reuse).
    #[arg(long)]
    pub dir: PathBuf,
    /// Measure on the database a previous run filled in --dir.
    #[arg(long)]
    pub reuse: bool,
    /// With --reuse: first add records to node 0's database until it holds
    /// --records (a bigger ledger without filling it again from empty).
    #[arg(long, requires = "reuse")]
    pub extend: bool,
    /// Records to write before measuring.
    #[arg(long, default_value_t = 1_000_000)]
    pub records: usize,
    /// Records per block (at most `MAX_BLOCK_RECORDS`, 1,000).
    #[arg(long, default_value_t = 1_000)]
    pub per_block: usize,
    /// Distinct holders (each holder's history has records ÷ holders entries).
    #[arg(long, default_value_t = 100_000)]
    pub holders: usize,
    /// Concurrent bundle clients.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Bundles per second offered by all clients together, each client at
    /// its share on a fixed schedule, latency counted from when a request
    /// was due (a late answer delays the next requests and is counted
    /// against them too); 0: each client asks again as soon as answered.
    #[arg(long, default_value_t = 0)]
    pub rate: u32,
    /// Seconds of full-bundle requests before measuring, not counted (the
    /// serving node's block cache starts empty at each run; a node serving
    /// for days has its ledger's hot part in it).
    #[arg(long, default_value_t = 0)]
    pub warm_up: u64,
    /// The serving nodes' block cache, MiB (`block_cache_mb`; default:
    /// the node's own default).
    #[arg(long)]
    pub block_cache_mb: Option<usize>,
    /// Seconds of bundle requests per form.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// First libp2p port.
    #[arg(long, default_value_t = 28750)]
    pub p2p_port: u16,
    /// First gRPC port.
    #[arg(long, default_value_t = 52150)]
    pub grpc_port: u16,
    /// Observers serving the bundles (1 or 2): with 2, a second one serves
    /// from a copy of node 0's database (made once, kept in node 1's
    /// directory), and the clients alternate between the two.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub servers: u8,
    /// Instead of the reads: an observer started from empty syncs the
    /// database from one member for at most this many seconds (0: reads).
    #[arg(long, default_value_t = 0)]
    pub catch_up: u64,
    /// Serve as observers (the read side as deployed) or under the members'
    /// own configurations, consensus key included (a comparison: alone, a
    /// member cannot commit either, so it only serves).
    #[arg(long, value_enum, default_value_t = ServeAs::Observer)]
    pub serve_as: ServeAs,
}

/// The role of the serving nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ServeAs {
    /// Without a consensus key.
    Observer,
    /// The member's configuration as it is.
    Member,
}

/// Seed of the bench holders' salts.
const SEED: [u8; 32] = [7; 32];

fn pct(sorted: &[Duration], p: f64) -> f64 {
    crate::load::percentile(sorted, p).as_secs_f64() * 1000.0
}

/// The record ids of a filled database, by log index.
fn stored_ids(config: &NodeConfig) -> eyre::Result<Vec<Digest>> {
    let genesis = yinzheng_node::run::load_genesis(&config.genesis)?;
    let chain = Chain::open(&config.db, &genesis).map_err(|e| eyre!("{e}"))?;
    let suite = chain.params().suite;
    let size = chain.head().tip.log_size;
    (0..size)
        .map(|i| {
            let bytes = chain
                .record_at(i)?
                .ok_or_else(|| eyre!("record {i} missing"))?;
            yinzheng_ledger::record_id(suite, &bytes).ok_or_else(|| eyre!("record {i} unreadable"))
        })
        .collect()
}

/// Fill node 0's database up to `o.records` records, from what it holds
/// (the ids are read back from it afterwards, as for a reused one).
fn fill(net: &testnet::Testnet, o: &ReadOptions) -> eyre::Result<()> {
    let config = NodeConfig::load(&net.nodes[0].dir.join("config.toml"))?;
    let chain = Chain::open(&config.db, &net.genesis).map_err(|e| eyre!("{e}"))?;
    let samples = Samples::new(&net.genesis, testnet::issuer_keys(&net.keys_dir)?)?;
    let suite = chain.params().suite;
    let set = net.genesis.validator_set().map_err(|e| eyre!("{}", e.0))?;
    let mut signers = Vec::new();
    for n in &net.nodes {
        let k = yinzheng_node::run::load_key(&n.consensus_key)?;
        let pk = k.verifying_key().to_bytes();
        if let Some(i) = set.validators.iter().position(|v| v.public_key == pk) {
            signers.push((u32::try_from(i)?, k));
        }
    }
    let quorum: Vec<(u32, &yinzheng_crypto::SigningKey)> =
        signers.iter().take(3).map(|(i, k)| (*i, k)).collect();
    let salts: Vec<HolderSalt> = (0..o.holders.max(1))
        .map(|i| HolderSalt::from_seed(&SEED, u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    let mut written = 0usize;
    let started = Instant::now();
    // Time in prepare and commit since the last progress line (the
    // signing above is not in it): the node's own execution and write
    // cost per record as the ledger grows.
    let (mut preparing, mut committing, mut stretch) = (Duration::ZERO, Duration::ZERO, 0usize);
    // Extending a filled database continues its numbering.
    let mut next = usize::try_from(chain.head().tip.log_size)?;
    while next < o.records {
        let n = o.per_block.min(o.records - next);
        let now = now_ms();
        let records: Vec<_> = (next..next + n)
            .into_par_iter()
            .map(|i| {
                let h = i % salts.len();
                samples.certificate_for(
                    &format!("R{i:09}"),
                    &i.to_be_bytes(),
                    (&salts[h], "111", &format!("4403051990{h:08}")),
                    now,
                )
            })
            .collect::<Result<_, _>>()?;
        let time = now.max(chain.head().tip.last_time_ms + 1);
        let proposer = u32::try_from(chain.height() % 4)?;
        let t = Instant::now();
        let (prepared, outcomes) = chain
            .prepare(&records, time, proposer)
            .map_err(|e| eyre!("{e}"))?;
        preparing += t.elapsed();
        if let Some(o) = outcomes.iter().find(|o| matches!(o, Outcome::Rejected(_))) {
            return Err(eyre!("a bulk record was refused: {o:?}"));
        }
        let header = prepared.block.header.clone().unwrap_or_default();
        let cert = sign_commit(suite, &header, 0, &quorum).map_err(|e| eyre!("{e}"))?;
        written += prepared.record_ids().len();
        let t = Instant::now();
        chain.commit(prepared, cert).map_err(|e| eyre!("{e}"))?;
        committing += t.elapsed();
        next += n;
        stretch += n;
        if next % 100_000 < n {
            let per = |d: Duration| d.as_secs_f64() * 1e6 / stretch as f64;
            eprintln!(
                "  {next} records in {:.0} s (last {stretch}: prepare {:.0} µs, commit {:.0} µs per record)",
                started.elapsed().as_secs_f64(),
                per(preparing),
                per(committing),
            );
            (preparing, committing, stretch) = (Duration::ZERO, Duration::ZERO, 0);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "filled: {} records in {} blocks, {:.0} s ({:.0} records/s through prepare + commit, signing included)",
        written,
        chain.height(),
        secs,
        written as f64 / secs
    );
    Ok(())
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => dir_size(&e.path()),
                    _ => e.metadata().map_or(0, |m| m.len()),
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Run the benchmark.
pub async fn run(o: ReadOptions) -> eyre::Result<()> {
    let config_path = if o.reuse {
        std::fs::read_dir(&o.dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("node0-"))
            })
            .ok_or_else(|| eyre!("no node0-* in {}", o.dir.display()))?
            .join("config.toml")
    } else {
        if o.dir.exists() {
            return Err(eyre!("{} exists: give a new directory", o.dir.display()));
        }
        let net = cluster::create(
            &o.dir,
            &TestnetOptions {
                chain_id: "yz-reads".into(),
                validators: 4,
                p2p_base_port: o.p2p_port,
                grpc_base_port: o.grpc_port,
                genesis_time_ms: now_ms(),
            },
        )?;
        let o2 = o.clone();
        let n2 = net.clone();
        tokio::task::spawn_blocking(move || fill(&n2, &o2)).await??;
        net.nodes[0].dir.join("config.toml")
    };
    if o.extend {
        let net = yinzheng_node::testnet::open(&o.dir)?;
        let o2 = o.clone();
        tokio::task::spawn_blocking(move || fill(&net, &o2)).await??;
    }
    if o.catch_up > 0 {
        return crate::catchup::run(&config_path, &o).await;
    }
    let config = NodeConfig::load(&config_path)?;
    let c2 = config.clone();
    let ids = tokio::task::spawn_blocking(move || stored_ids(&c2)).await??;
    let size = dir_size(&config.db);
    println!(
        "database: {:.1} MB, {:.0} MB per million records",
        size as f64 / 1e6,
        size as f64 / 1e6 / (ids.len() as f64 / 1e6)
    );
    let issuer = yinzheng_genesis::consortium::departments()[1]
        .credit_code
        .clone();
    let mut configs = vec![config_path.clone()];
    if o.servers > 1 {
        configs.push(second_server(&o.dir, &config.db)?);
    }
    let mut nodes = Servers(Vec::new());
    let mut servers = Vec::new();
    for member in &configs {
        let path = &match o.serve_as {
            ServeAs::Observer => as_observer(member, o.block_cache_mb)?,
            ServeAs::Member => match o.block_cache_mb {
                None => member.clone(),
                Some(mb) => with_cache(member, mb)?,
            },
        };
        nodes.0.push(cluster::spawn(
            path,
            &path.with_file_name("reads-node.log"),
        )?);
        let url = format!("http://{}", NodeConfig::load(path)?.grpc_listen);
        servers.push(cluster::connect(&url, Duration::from_secs(120)).await?);
    }
    let client = servers[0].clone();
    let ids = Arc::new(ids);
    if o.warm_up > 0 {
        let (warm, _) = bundle_requests(&servers, &ids, &o, false, o.warm_up).await?;
        println!(
            "warm-up: {} full bundles over {} s, not counted",
            warm.len(),
            o.warm_up
        );
    }
    for compact in [false, true] {
        let (mut all, elapsed) = bundle_requests(&servers, &ids, &o, compact, o.seconds).await?;
        all.sort();
        let offered = if o.rate > 0 {
            format!(" at {}/s offered", o.rate)
        } else {
            String::new()
        };
        println!(
            "bundles ({}): {:.0}/s over {} s{offered}, {} clients, {} serving as {:?}; latency p50 {:.1} ms, p99 {:.1} ms",
            if compact { "compact" } else { "full" },
            all.len() as f64 / elapsed,
            o.seconds,
            o.clients,
            servers.len(),
            o.serve_as,
            pct(&all, 0.5),
            pct(&all, 0.99)
        );
    }
    // Audit pages: an issuer's month (every record here is one issuer's, so
    // its list is the whole ledger) and one holder's history.
    let mut c = client.clone();
    let mut times = Vec::new();
    for _ in 0..20 {
        let t0 = Instant::now();
        let page = c
            .audit(AuditRequest {
                query: Some(Query::Certificates(CertificateQuery {
                    issuer: issuer.clone(),
                    type_code: CERT_TYPE.into(),
                })),
                from_ms: now_ms().saturating_sub(30 * 86_400_000),
                limit: 100,
                ..Default::default()
            })
            .await?
            .into_inner();
        times.push(t0.elapsed());
        if page.entries.len() != 100.min(ids.len()) {
            return Err(eyre!("issuer page of {} entries", page.entries.len()));
        }
    }
    times.sort();
    println!(
        "audit, issuer's month, first page of 100: p50 {:.1} ms, p99 {:.1} ms",
        pct(&times, 0.5),
        pct(&times, 0.99)
    );
    let mut times = Vec::new();
    let mut found = 0;
    for h in 0..20usize {
        let salt = HolderSalt::from_seed(&SEED, u32::try_from(h)?);
        let commitment =
            yinzheng_ledger::holder::holder_commitment(&salt, "111", &format!("4403051990{h:08}"))
                .map_err(|e| eyre!("{e}"))?;
        let t0 = Instant::now();
        let page = c
            .audit(AuditRequest {
                query: Some(Query::Holder(commitment.0.to_vec())),
                ..Default::default()
            })
            .await?
            .into_inner();
        times.push(t0.elapsed());
        found += page.entries.len();
    }
    times.sort();
    println!(
        "audit, a holder's history ({} entries each on average): p50 {:.1} ms, p99 {:.1} ms",
        found / 20,
        pct(&times, 0.5),
        pct(&times, 0.99)
    );
    drop(nodes);
    Ok(())
}

/// Node processes, killed when dropped (also on an early error).
struct Servers(Vec<std::process::Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for n in &mut self.0 {
            let _ = n.kill();
            let _ = n.wait();
        }
    }
}

/// `o.clients` clients asking `servers` for bundles of random `ids` for
/// `seconds` (as fast as answered, or on `o.rate`'s schedule): their
/// latencies, and the seconds until the last answer.
async fn bundle_requests(
    servers: &[Client],
    ids: &Arc<Vec<Digest>>,
    o: &ReadOptions,
    compact: bool,
    seconds: u64,
) -> eyre::Result<(Vec<Duration>, f64)> {
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    // Offered: client t's request i is due at (i × clients + t) / rate.
    let every = (o.rate > 0).then(|| Duration::from_secs_f64(o.clients as f64 / f64::from(o.rate)));
    let mut tasks = Vec::new();
    for t in 0..o.clients {
        let (mut c, ids) = (servers[t % servers.len()].clone(), ids.clone());
        let mut due = every.map(|e| start + e.mul_f64(t as f64 / o.clients as f64));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut k = t.wrapping_mul(7919);
            while due.unwrap_or_else(Instant::now) < deadline {
                k = k
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let id = ids[(k >> 11) % ids.len()];
                let t0 = match (due, every) {
                    (Some(at), Some(e)) => {
                        tokio::time::sleep_until(at.into()).await;
                        due = Some(at + e);
                        at
                    }
                    _ => Instant::now(),
                };
                let r = c
                    .get_bundle(BundleRequest {
                        subject: Some(SubjectRef {
                            by: Some(By::RecordId(id.0.to_vec())),
                        }),
                        compact,
                    })
                    .await;
                if r.is_err() {
                    return Err(eyre!("bundle request failed: {r:?}"));
                }
                lat.push(t0.elapsed());
            }
            Ok::<_, eyre::Report>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.wrap_err("bundle client")??);
    }
    Ok((all, start.elapsed().as_secs_f64()))
}

/// The configuration of an observer serving a member's database
/// (`config-observer.toml` beside it): no consensus key, so the node never
/// votes or proposes and refuses submissions; its own consensus WAL; no
/// relays, no HTTP side.
fn as_observer(member: &std::path::Path, cache_mb: Option<usize>) -> eyre::Result<PathBuf> {
    let c = NodeConfig::load(member)?;
    let dir = member
        .parent()
        .ok_or_else(|| eyre!("no directory for {}", member.display()))?;
    let observer = NodeConfig {
        moniker: format!("{}-observer", c.moniker),
        consensus_key: None,
        wal: dir.join("wal-observer"),
        relay: Vec::new(),
        http_listen: None,
        block_cache_mb: cache_mb.unwrap_or(c.block_cache_mb),
        ..c
    };
    let path = dir.join("config-observer.toml");
    std::fs::write(&path, observer.to_toml())?;
    Ok(path)
}

/// The member's configuration with another block cache
/// (`config-cache.toml` beside it).
fn with_cache(member: &std::path::Path, cache_mb: usize) -> eyre::Result<PathBuf> {
    let c = NodeConfig {
        block_cache_mb: cache_mb,
        ..NodeConfig::load(member)?
    };
    let path = member.with_file_name("config-cache.toml");
    std::fs::write(&path, c.to_toml())?;
    Ok(path)
}

/// Node 1's configuration in `dir`, its database a copy of node 0's `db`
/// (made the first time).
fn second_server(dir: &std::path::Path, db: &std::path::Path) -> eyre::Result<PathBuf> {
    let net = yinzheng_node::testnet::open(dir)?;
    let node = net
        .nodes
        .get(1)
        .ok_or_else(|| eyre!("no node 1 in {}", dir.display()))?;
    let path = node.dir.join("config.toml");
    let target = NodeConfig::load(&path)?.db;
    if !target.exists() {
        crate::load::copy(db, &target)?;
    }
    Ok(path)
}
