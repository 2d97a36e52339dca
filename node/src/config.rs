//! A node's configuration file (TOML). Relative paths are taken from the
//! directory holding the file. Documented in docs/operator-guide.md.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One node's configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Name in logs and peer lists.
    pub moniker: String,
    /// The consortium's genesis file.
    pub genesis: PathBuf,
    /// The validator's SM2 consensus key (PKCS#8 PEM); absent on an observer.
    #[serde(default)]
    pub consensus_key: Option<PathBuf>,
    /// The libp2p identity (Ed25519 PKCS#8 PEM).
    pub p2p_key: PathBuf,
    /// RocksDB directory.
    pub db: PathBuf,
    /// The consensus engine's write-ahead log directory.
    pub wal: PathBuf,
    /// libp2p listen address, e.g. `/ip4/127.0.0.1/tcp/26650`.
    pub p2p_listen: String,
    /// The other members: `/ip4/…/tcp/…/p2p/<peer id>`. Only these identities
    /// may connect (the allowlist).
    pub peers: Vec<String>,
    /// gRPC listen address, e.g. `127.0.0.1:50050`.
    pub grpc_listen: String,
    /// The other members' gRPC URLs (`http://host:port`): records admitted
    /// here are relayed to their mempools.
    #[serde(default)]
    pub relay: Vec<String>,
    /// HTTP listen address for `/verify` (the citizen's page) and `/health`,
    /// e.g. `127.0.0.1:8080`; none: no HTTP.
    #[serde(default)]
    pub http_listen: Option<String>,
    /// The verify page built for this consortium (`web/build.sh genesis.json DIR`).
    #[serde(default)]
    pub verify_page: Option<PathBuf>,
    /// Most records waiting in the mempool.
    #[serde(default = "default_mempool")]
    pub mempool_capacity: usize,
    /// RocksDB's block cache, shared by every column family, MiB: an
    /// observer serving many readers wants its ledger's hot part in it.
    #[serde(default = "default_block_cache_mb")]
    pub block_cache_mb: usize,
    /// Shortest time between blocks, milliseconds.
    #[serde(default = "default_interval")]
    pub block_interval_ms: u64,
    /// How long validators wait for a proposal, milliseconds.
    #[serde(default = "default_propose")]
    pub propose_timeout_ms: u64,
    /// Largest accepted lead of a proposed block's time over our clock.
    #[serde(default = "default_skew")]
    pub max_clock_skew_ms: u64,
    /// Deliberate misbehaviour, for the fault tests only: never set in a
    /// deployment (the node warns loudly when it is).
    #[serde(default, skip_serializing_if = "Faults::is_none")]
    pub faults: Faults,
}

/// Misbehaviour a test can ask of a member, to check that the others hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faults {
    /// With each of our proposals, also publish this many junk proposal
    /// parts for later heights and other rounds (signed by us, some claiming
    /// other proposers).
    #[serde(default)]
    pub flood_proposal_parts: u32,
    /// Size of each junk part, bytes.
    #[serde(default)]
    pub flood_part_bytes: usize,
    /// Run this node's clock this many milliseconds ahead (negative: behind).
    #[serde(default)]
    pub clock_offset_ms: i64,
}

impl Faults {
    /// Whether no misbehaviour is asked for.
    pub fn is_none(&self) -> bool {
        *self == Faults::default()
    }
}

/// The block cache's default size, MiB.
pub fn default_block_cache_mb() -> usize {
    256
}

pub(crate) fn default_mempool() -> usize {
    50_000
}

pub(crate) fn default_interval() -> u64 {
    200
}

pub(crate) fn default_propose() -> u64 {
    1000
}

pub(crate) fn default_skew() -> u64 {
    5000
}

/// A configuration that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("config {path}: {reason}")]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// What was wrong.
    pub reason: String,
}

impl NodeConfig {
    /// Read a config file and resolve its relative paths against its
    /// directory, made absolute: a configuration loaded, changed and
    /// written again (in its own directory or elsewhere) still names the
    /// same files.
    pub fn load(path: &Path) -> Result<NodeConfig, ConfigError> {
        let err = |reason: String| ConfigError {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let mut c: NodeConfig = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let base = std::path::absolute(dir).map_err(|e| err(e.to_string()))?;
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut c.genesis);
        fix(&mut c.p2p_key);
        fix(&mut c.db);
        fix(&mut c.wal);
        if let Some(k) = c.consensus_key.as_mut() {
            fix(k);
        }
        if let Some(p) = c.verify_page.as_mut() {
            fix(p);
        }
        Ok(c)
    }

    /// The TOML text.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}
