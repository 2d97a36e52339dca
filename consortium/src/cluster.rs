//! A local consortium of node processes: create a testnet directory with a
//! configuration per validator, start, kill and restart the processes, and
//! connect to their gRPC APIs. Used by the demo, the load generator and the
//! fault tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eyre::{WrapErr, eyre};
use tonic::transport::Channel;
use yinzheng_genesis::testnet::Testnet;
use yinzheng_node::proto::InfoRequest;
use yinzheng_node::proto::node_client::NodeClient;

/// Create a testnet and its configurations in `dir`.
pub use yinzheng_node::testnet::create;

/// The node binary beside this program (`yinzheng-node`), or the one
/// `YINZHENG_NODE_BIN` names.
pub fn node_binary() -> eyre::Result<PathBuf> {
    if let Some(p) = std::env::var_os("YINZHENG_NODE_BIN") {
        return Ok(PathBuf::from(p));
    }
    let me = std::env::current_exe().wrap_err("locating this program")?;
    let dir = me
        .parent()
        .ok_or_else(|| eyre!("no directory for {}", me.display()))?;
    // Benchmarks and tests run from target/<profile>/deps.
    for d in [dir, dir.parent().unwrap_or(dir)] {
        let p = d.join("yinzheng-node");
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(eyre!(
        "yinzheng-node not found beside {}: build it first (cargo build -p yinzheng-node, with --release for benchmarks)",
        me.display()
    ))
}

/// Start a node process ([`node_binary`]) on `config`, its output written
/// to a new file `log`.
pub fn spawn(config: &Path, log: &Path) -> eyre::Result<Child> {
    let log = std::fs::File::create(log)?;
    Command::new(node_binary()?)
        .arg("run")
        .arg("--config")
        .arg(config)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .wrap_err("starting a node")
}

/// A gRPC client of one node.
pub type Client = NodeClient<Channel>;

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

    /// Run the nodes started from now on with another binary (a rolling
    /// upgrade: stop one, start it again with the new release).
    pub fn set_binary(&mut self, exe: PathBuf) {
        self.exe = exe;
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
