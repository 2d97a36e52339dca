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
            block_cache_mb: crate::config::default_block_cache_mb(),
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

/// The port at the end of a listen address (`/ip4/…/tcp/PORT` or `HOST:PORT`).
fn port_of(addr: &str) -> eyre::Result<u16> {
    addr.rsplit(['/', ':'])
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| eyre!("no port in {addr:?}"))
}

/// Open a testnet that [`create`] made in `dir`: its genesis, and each
/// validator (`node<i>-*`, in index order) with the files and ports its
/// configuration names.
pub fn open(dir: &Path) -> eyre::Result<Testnet> {
    let genesis_path = dir.join("genesis.json");
    let text = std::fs::read_to_string(&genesis_path)
        .wrap_err_with(|| format!("{}", genesis_path.display()))?;
    let genesis = yinzheng_ledger::genesis::Genesis::from_json(&text)
        .map_err(|e| eyre!("{}: {e}", genesis_path.display()))?;
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).wrap_err_with(|| format!("{}", dir.display()))? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        let index = name
            .strip_prefix("node")
            .and_then(|r| r.split_once('-'))
            .and_then(|(i, _)| i.parse::<usize>().ok());
        if let Some(i) = index
            && e.path().join("config.toml").is_file()
        {
            found.push((i, name));
        }
    }
    found.sort();
    let mut nodes = Vec::new();
    for (_, moniker) in found {
        let ndir = dir.join(&moniker);
        let c = NodeConfig::load(&ndir.join("config.toml")).map_err(|e| eyre!("{e}"))?;
        let p2p = yinzheng_genesis::keyfiles::read_key(&c.p2p_key).map_err(|e| eyre!("{e}"))?;
        nodes.push(testnet::TestnetNode {
            moniker,
            consensus_key: c
                .consensus_key
                .clone()
                .ok_or_else(|| eyre!("{} has no consensus key", ndir.display()))?,
            p2p_key: c.p2p_key.clone(),
            peer_id: testnet::peer_id(&p2p).map_err(|e| eyre!("{e}"))?,
            p2p_port: port_of(&c.p2p_listen)?,
            grpc_port: port_of(&c.grpc_listen)?,
            dir: ndir,
        });
    }
    if nodes.is_empty() {
        return Err(eyre!("no validator directories in {}", dir.display()));
    }
    Ok(Testnet {
        dir: dir.to_path_buf(),
        genesis_path,
        genesis,
        nodes,
        keys_dir: dir.join("keys"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_reads_back_what_create_made() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("net");
        let opts = TestnetOptions {
            chain_id: "yz-open".into(),
            validators: 4,
            p2p_base_port: 41000,
            grpc_base_port: 42000,
            genesis_time_ms: 1_700_000_000_000,
        };
        let made = create(&dir, &opts).unwrap();
        let opened = open(&dir).unwrap();
        assert_eq!(opened.genesis.hash().unwrap(), made.genesis.hash().unwrap());
        assert_eq!(opened.nodes.len(), 4);
        for (a, b) in opened.nodes.iter().zip(&made.nodes) {
            assert_eq!(a.moniker, b.moniker);
            assert_eq!(a.peer_id, b.peer_id);
            assert_eq!((a.p2p_port, a.grpc_port), (b.p2p_port, b.grpc_port));
            assert_eq!(
                std::fs::read(&a.consensus_key).unwrap(),
                std::fs::read(&b.consensus_key).unwrap()
            );
        }
        assert!(open(tmp.path()).is_err(), "a directory without a testnet");
    }

    #[test]
    fn ports_come_from_listen_addresses() {
        assert_eq!(port_of("/ip4/127.0.0.1/tcp/28750").unwrap(), 28750);
        assert_eq!(port_of("127.0.0.1:52150").unwrap(), 52150);
        assert!(port_of("127.0.0.1").is_err());
    }
}
