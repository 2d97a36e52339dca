//! A local testnet on 127.0.0.1: for each validator an SM2 consensus key and
//! an Ed25519 network identity, the issuer keys of the demo departments, and
//! the genesis file. Node configuration files are written by the node.

use std::path::{Path, PathBuf};

use yinzheng_crypto::{SigningKey, Suite};
use yinzheng_ledger::genesis::Genesis;

use crate::Error;
use crate::consortium::{IssuerKeys, demo_genesis, departments};
use crate::keyfiles::{mkdir, write_key, write_new};

/// What to create.
#[derive(Debug, Clone)]
pub struct TestnetOptions {
    /// Chain id.
    pub chain_id: String,
    /// Number of validators (departments are reused round-robin beyond four).
    pub validators: usize,
    /// First libp2p port; validator i listens on `p2p_base_port + i`.
    pub p2p_base_port: u16,
    /// First gRPC port; validator i serves on `grpc_base_port + i`.
    pub grpc_base_port: u16,
    /// Genesis time.
    pub genesis_time_ms: u64,
}

/// One validator of a testnet.
#[derive(Debug, Clone)]
pub struct TestnetNode {
    /// Name, e.g. `node0-province`.
    pub moniker: String,
    /// Its directory.
    pub dir: PathBuf,
    /// SM2 consensus key file.
    pub consensus_key: PathBuf,
    /// Ed25519 network identity file.
    pub p2p_key: PathBuf,
    /// Its libp2p peer id.
    pub peer_id: String,
    /// libp2p port.
    pub p2p_port: u16,
    /// gRPC port.
    pub grpc_port: u16,
}

impl TestnetNode {
    /// Its libp2p address with peer id.
    pub fn p2p_addr(&self) -> String {
        format!("/ip4/127.0.0.1/tcp/{}/p2p/{}", self.p2p_port, self.peer_id)
    }
}

/// A created testnet.
#[derive(Debug, Clone)]
pub struct Testnet {
    /// Its directory.
    pub dir: PathBuf,
    /// The genesis file.
    pub genesis_path: PathBuf,
    /// The genesis.
    pub genesis: Genesis,
    /// The validators.
    pub nodes: Vec<TestnetNode>,
    /// The directory of issuer key files (`<stem>.pem`).
    pub keys_dir: PathBuf,
}

/// A testnet node's HTTP port (page, `/v1`, metrics) is its gRPC port plus this.
pub const HTTP_PORT_OFFSET: u16 = 100;

fn key_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Key {
        what: what.into(),
        reason: e.to_string(),
    }
}

/// The libp2p peer id of an Ed25519 network key.
pub fn peer_id(key: &SigningKey) -> Result<String, Error> {
    let SigningKey::Ed25519(k) = key else {
        return Err(key_err("p2p", "not an Ed25519 key"));
    };
    let pk = libp2p_identity::ed25519::PublicKey::try_from_bytes(&k.verifying_key().to_bytes())
        .map_err(|e| key_err("p2p", e))?;
    Ok(libp2p_identity::PublicKey::from(pk)
        .to_peer_id()
        .to_string())
}

/// Create a testnet in `dir` (which must not hold one already).
pub fn create(dir: &Path, opts: &TestnetOptions) -> Result<Testnet, Error> {
    if dir.join("genesis.json").exists() {
        return Err(Error::Genesis(format!(
            "{} already holds a testnet",
            dir.display()
        )));
    }
    mkdir(dir)?;
    let keys_dir = dir.join("keys");
    mkdir(&keys_dir)?;
    let deps = departments();
    let mut nodes = Vec::new();
    let mut validator_keys = Vec::new();
    for i in 0..opts.validators {
        let dep = &deps[i % deps.len()];
        let moniker = format!("node{i}-{}", dep.short);
        let ndir = dir.join(&moniker);
        mkdir(&ndir)?;
        let ck = SigningKey::generate(Suite::Sm).map_err(|e| key_err("consensus", e))?;
        let pk = SigningKey::generate(Suite::Intl).map_err(|e| key_err("p2p", e))?;
        let consensus_key = ndir.join("consensus.pem");
        let p2p_key = ndir.join("p2p.pem");
        write_key(&consensus_key, &ck)?;
        write_key(&p2p_key, &pk)?;
        validator_keys.push(ck.verifying_key().to_bytes());
        let index = u16::try_from(i).map_err(|_| Error::Genesis("too many validators".into()))?;
        nodes.push(TestnetNode {
            moniker,
            dir: ndir,
            consensus_key,
            p2p_key,
            peer_id: peer_id(&pk)?,
            p2p_port: opts.p2p_base_port + index,
            grpc_port: opts.grpc_base_port + index,
        });
    }
    let issuers = IssuerKeys::generate(Suite::Sm)?;
    for (stem, k) in issuers.named() {
        write_key(&keys_dir.join(format!("{stem}.pem")), k)?;
    }
    let mut genesis = demo_genesis(
        &opts.chain_id,
        Suite::Sm,
        opts.genesis_time_ms,
        &validator_keys,
        &issuers,
    )?;
    // Each node's public read API, for verifiers that were given no node.
    genesis.endpoints = nodes
        .iter()
        .map(|n| format!("http://127.0.0.1:{}", n.grpc_port + HTTP_PORT_OFFSET))
        .collect();
    let genesis = Genesis::from_json(&genesis.to_json()).map_err(|e| Error::Genesis(e.0))?;
    let genesis_path = dir.join("genesis.json");
    write_new(&genesis_path, &genesis.to_json())?;
    Ok(Testnet {
        dir: dir.to_path_buf(),
        genesis_path,
        genesis,
        nodes,
        keys_dir,
    })
}

/// Load the issuer keys of a testnet created by [`create`].
pub fn issuer_keys(keys_dir: &Path) -> Result<IssuerKeys, Error> {
    let k = |stem: &str| crate::keyfiles::read_key(&keys_dir.join(format!("{stem}.pem")));
    Ok(IssuerKeys {
        province_admin: k("province-admin")?,
        shenzhen_admin: k("shenzhen-admin")?,
        guangzhou_admin: k("guangzhou-admin")?,
        shenzhen_operator: k("shenzhen-operator")?,
        nanshan_operator: k("nanshan-operator")?,
    })
}
