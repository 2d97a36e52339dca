//! Configurations for a local testnet: one `config.toml` per validator of
//! a testnet directory made by `yinzheng_genesis::testnet`.

use std::path::{Path, PathBuf};

use eyre::{WrapErr, eyre};
use yinzheng_genesis::testnet::{self, Testnet, TestnetOptions};

use crate::config::NodeConfig;

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
            http_listen: Some(format!(
                "127.0.0.1:{}",
                n.grpc_port + testnet::HTTP_PORT_OFFSET
            )),
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
