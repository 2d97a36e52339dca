//! Starting a local consortium of node processes for a test.

use std::path::PathBuf;
use std::time::Duration;

use tempfile::TempDir;
use yinzheng_consortium::cluster::{self, Client, Cluster};
use yinzheng_genesis::samples::Samples;
use yinzheng_genesis::testnet::{self, TestnetOptions};
use yinzheng_ledger::Record;
use yinzheng_node::app::now_ms;
use yinzheng_node::proto::{BlockRequest, InfoRequest, SubmitRequest};

/// One cluster at a time: four nodes already fill the machine.
pub static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running test consortium.
pub struct Net {
    pub cluster: Cluster,
    pub clients: Vec<Client>,
    pub samples: Samples,
    pub dir: TempDir,
}

pub fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_yinzheng-node"))
}

/// Create and start a 4-validator consortium on ports `base..base+4`
/// (libp2p) and `base+100..` (gRPC); wait for the first block.
pub async fn start(base: u16) -> Net {
    start_with(base, |_| {}).await
}

/// As [`start`], after `tweak` has had the testnet (to edit a config).
pub async fn start_with(base: u16, tweak: impl FnOnce(&testnet::Testnet)) -> Net {
    let dir = tempfile::tempdir().unwrap();
    let net = cluster::create(
        dir.path(),
        &TestnetOptions {
            chain_id: format!("yz-test-{base}"),
            validators: 4,
            p2p_base_port: base,
            grpc_base_port: base + 100,
            genesis_time_ms: now_ms(),
        },
    )
    .unwrap();
    let keys = testnet::issuer_keys(&net.keys_dir).unwrap();
    let samples = Samples::new(&net.genesis, keys).unwrap();
    tweak(&net);
    let mut cluster = Cluster::new(net, exe());
    cluster.start_all().unwrap();
    let mut clients = Vec::new();
    for i in 0..4 {
        clients.push(cluster.client(i, Duration::from_secs(60)).await.unwrap());
    }
    cluster::wait_height(&mut clients, 1, Duration::from_secs(60))
        .await
        .unwrap();
    Net {
        cluster,
        clients,
        samples,
        dir,
    }
}

impl Net {
    /// A fresh certificate record.
    pub fn certificate(&self, n: u64) -> Record {
        let no = format!("T{:012}", n);
        self.samples
            .certificate(&no, no.as_bytes(), "holder", now_ms())
            .unwrap()
    }

    /// Reconnect to node `i` (after a restart).
    pub async fn reconnect(&mut self, i: usize) {
        self.clients[i] = self
            .cluster
            .client(i, Duration::from_secs(60))
            .await
            .unwrap();
    }
}

/// Submit and wait for the commit; returns the height.
pub async fn submit_wait(c: &mut Client, r: &Record) -> u64 {
    c.submit(SubmitRequest {
        record: r.bytes().to_vec(),
        wait: true,
    })
    .await
    .unwrap()
    .into_inner()
    .height
}

/// Height of a node.
pub async fn height(c: &mut Client) -> u64 {
    c.get_info(InfoRequest {})
        .await
        .unwrap()
        .into_inner()
        .height
}

/// Header hash-relevant fields of block `h` on a node, as bytes.
pub async fn header(c: &mut Client, h: u64) -> Vec<u8> {
    use prost::Message;
    let b = c
        .get_block(BlockRequest { height: h })
        .await
        .unwrap()
        .into_inner();
    b.header.unwrap().encode_to_vec()
}

/// Every node in `nodes` has the same header at every height up to `upto`.
pub async fn assert_same_headers(clients: &mut [Client], nodes: &[usize], upto: u64) {
    for h in 1..=upto {
        let first = header(&mut clients[nodes[0]], h).await;
        for &i in &nodes[1..] {
            assert_eq!(
                header(&mut clients[i], h).await,
                first,
                "node {i} differs at height {h}"
            );
        }
    }
}

/// The configuration of a node added beside a test consortium (its files
/// in its own directory under the testnet's): an outsider, an observer.
pub fn extra_node(
    moniker: &str,
    consensus_key: Option<&str>,
    p2p_port: u16,
    grpc_port: u16,
    peers: Vec<String>,
) -> yinzheng_node::config::NodeConfig {
    yinzheng_node::config::NodeConfig {
        moniker: moniker.into(),
        genesis: "../genesis.json".into(),
        consensus_key: consensus_key.map(Into::into),
        p2p_key: "p2p.pem".into(),
        db: "db".into(),
        wal: "wal".into(),
        p2p_listen: format!("/ip4/127.0.0.1/tcp/{p2p_port}"),
        peers,
        grpc_listen: format!("127.0.0.1:{grpc_port}"),
        relay: Vec::new(),
        http_listen: None,
        verify_page: None,
        mempool_capacity: 100,
        block_cache_mb: yinzheng_node::config::default_block_cache_mb(),
        block_interval_ms: 200,
        propose_timeout_ms: 1000,
        max_clock_skew_ms: 5000,
        faults: Default::default(),
    }
}

/// Start a node from `dir/config.toml` (an extra node beside a test
/// consortium), its output appended to `dir/node.log`.
pub fn run_node(dir: &std::path::Path) -> std::process::Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("node.log"))
        .unwrap();
    std::process::Command::new(exe())
        .args(["run", "--config"])
        .arg(dir.join("config.toml"))
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap()
}
