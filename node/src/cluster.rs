//! A local consortium of node processes: create a testnet directory with a
//! configuration per validator, start, kill and restart the processes, and
//! connect to their gRPC APIs. Used by the demo, the load generator and the
//! fault tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eyre::{WrapErr, eyre};
use tonic::transport::Channel;
use yinzheng_genesis::testnet::{self, Testnet, TestnetOptions};

use crate::config::NodeConfig;
use crate::proto::InfoRequest;
use crate::proto::node_client::NodeClient;

/// A gRPC client of one node.
pub type Client = NodeClient<Channel>;

/// Write one configuration file per validator of `net`.
pub fn write_configs(net: &Testnet) -> eyre::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for (i, n) in net.nodes.iter().enumerate() {
        let peers = net
            .nodes
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, p)| p.p2p_addr())
            .collect();
        let c = NodeConfig {
            moniker: n.moniker.clone(),
            genesis: PathBuf::from("../genesis.json"),
            consensus_key: Some(PathBuf::from("consensus.pem")),
            p2p_key: PathBuf::from("p2p.pem"),
            db: PathBuf::from("db"),
            wal: PathBuf::from("wal"),
            p2p_listen: format!("/ip4/127.0.0.1/tcp/{}", n.p2p_port),
            peers,
            grpc_listen: format!("127.0.0.1:{}", n.grpc_port),
            relay: net
                .nodes
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, p)| format!("http://127.0.0.1:{}", p.grpc_port))
                .collect(),
            http_listen: Some(format!("127.0.0.1:{}", n.grpc_port + 100)),
            verify_page: None,
            mempool_capacity: 50_000,
            block_interval_ms: 200,
            propose_timeout_ms: 1000,
            max_clock_skew_ms: 5000,
            faults: Default::default(),
        };
        let path = n.dir.join("config.toml");
        std::fs::write(&path, c.to_toml()).wrap_err_with(|| format!("{}", path.display()))?;
        out.push(path);
    }
    Ok(out)
}

/// Create a testnet and its configurations in `dir`.
pub fn create(dir: &Path, opts: &TestnetOptions) -> eyre::Result<Testnet> {
    let net = testnet::create(dir, opts).map_err(|e| eyre!("{e}"))?;
    write_configs(&net)?;
    Ok(net)
}

/// Node processes of a local testnet.
pub struct Cluster {
    /// The testnet.
    pub net: Testnet,
    exe: PathBuf,
    children: Vec<Option<Child>>,
}

impl Cluster {
    /// A cluster of `net` run by the node binary `exe` (nothing started yet).
    pub fn new(net: Testnet, exe: PathBuf) -> Cluster {
        let n = net.nodes.len();
        Cluster {
            net,
            exe,
            children: (0..n).map(|_| None).collect(),
        }
    }

    /// Start node `i` (its output goes to `node.log` in its directory).
    pub fn start(&mut self, i: usize) -> eyre::Result<()> {
        let node = &self.net.nodes[i];
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(node.dir.join("node.log"))?;
        let child = Command::new(&self.exe)
            .arg("run")
            .arg("--config")
            .arg(node.dir.join("config.toml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .wrap_err("starting a node process")?;
        self.children[i] = Some(child);
        Ok(())
    }

    /// Start every node.
    pub fn start_all(&mut self) -> eyre::Result<()> {
        for i in 0..self.children.len() {
            self.start(i)?;
        }
        Ok(())
    }

    /// `kill -9` node `i`.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.children[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Stop node `i` gracefully (SIGTERM), then wait for it.
    pub fn stop(&mut self, i: usize) {
        if let Some(mut c) = self.children[i].take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(c.id().to_string())
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Whether node `i`'s process is running.
    pub fn is_running(&mut self, i: usize) -> bool {
        matches!(
            self.children[i].as_mut().map(|c| c.try_wait()),
            Some(Ok(None))
        )
    }

    /// The process id of node `i`, if running.
    pub fn pid(&self, i: usize) -> Option<u32> {
        self.children[i].as_ref().map(Child::id)
    }

    /// The gRPC URL of node `i`.
    pub fn url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.net.nodes[i].grpc_port)
    }

    /// Connect to node `i`, waiting up to `timeout` for it to serve.
    pub async fn client(&self, i: usize, timeout: Duration) -> eyre::Result<Client> {
        connect(&self.url(i), timeout).await
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.children.len()
    }

    /// Whether the cluster has no nodes.
    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.children.len() {
            self.stop(i);
        }
    }
}

/// Connect to a node's API, retrying until `timeout`.
pub async fn connect(url: &str, timeout: Duration) -> eyre::Result<Client> {
    let deadline = Instant::now() + timeout;
    loop {
        match NodeClient::connect(url.to_owned()).await {
            Ok(mut c) => {
                if c.get_info(InfoRequest {}).await.is_ok() {
                    return Ok(c.max_decoding_message_size(64 * 1024 * 1024));
                }
            }
            Err(e) if Instant::now() >= deadline => {
                return Err(eyre!("node at {url} not reachable: {e}"));
            }
            Err(_) => {}
        }
        if Instant::now() >= deadline {
            return Err(eyre!("node at {url} not serving"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Wait until every client reports at least `height`.
pub async fn wait_height(
    clients: &mut [Client],
    height: u64,
    timeout: Duration,
) -> eyre::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let mut min = u64::MAX;
        for c in clients.iter_mut() {
            let h = c
                .get_info(InfoRequest {})
                .await
                .map(|r| r.into_inner().height)
                .unwrap_or(0);
            min = min.min(h);
        }
        if min >= height {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(eyre!("height {height} not reached (lowest node at {min})"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
