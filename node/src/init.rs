//! `yinzheng-node init`: a node's configuration written from the
//! consortium's genesis and the node's key files, checked before anything is
//! written, with safe defaults: the API on loopback, no HTTP unless an
//! address is given, the database and WAL beside the configuration.

use std::path::{Path, PathBuf};

use eyre::{WrapErr, eyre};
use malachitebft_app_channel::app::net::Multiaddr;

use crate::config::{self, NodeConfig};
use yinzheng_crypto::Signer as _;

use crate::run::{load_genesis, load_key, load_p2p_key};

/// What to write.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Directory of the configuration (`config.toml`), and of the database
    /// and WAL unless `data_dir` is given.
    pub dir: PathBuf,
    /// Directory of the database and WAL, when not beside the configuration
    /// (a package keeps the configuration in `/etc/yinzheng`, read-only to
    /// the node, and its data in `/var/lib/yinzheng`).
    pub data_dir: Option<PathBuf>,
    /// Name in logs and peer lists.
    pub moniker: String,
    /// The consortium's genesis file.
    pub genesis: PathBuf,
    /// The SM2 consensus key; none: an observer.
    pub consensus_key: Option<PathBuf>,
    /// The Ed25519 network identity.
    pub p2p_key: PathBuf,
    /// libp2p listen address.
    pub p2p_listen: String,
    /// gRPC listen address.
    pub grpc_listen: String,
    /// HTTP listen address (page, `/v1`, `/health`, `/metrics`); none: off.
    pub http_listen: Option<String>,
    /// Peers, `/ip4/…/tcp/…/p2p/<peer id>`.
    pub peers: Vec<String>,
    /// The other members' gRPC URLs to relay admitted records to.
    pub relay: Vec<String>,
}

/// What was written.
#[derive(Debug)]
pub struct Initialised {
    /// The configuration file.
    pub config: PathBuf,
    /// This node's libp2p peer id (the members list it in their `peers`).
    pub peer_id: String,
    /// Whether it runs as an observer (no consensus key).
    pub observer: bool,
    /// Things an operator should fix, none fatal.
    pub warnings: Vec<String>,
}

fn absolute(p: &Path) -> eyre::Result<PathBuf> {
    std::fs::canonicalize(p).wrap_err_with(|| format!("{}", p.display()))
}

/// A key file others than its owner can read.
fn exposed(p: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(p).ok()?.permissions().mode();
        (mode & 0o077 != 0).then(|| {
            format!(
                "{} can be read by others than its owner (mode {:o}): chmod 600 it",
                p.display(),
                mode & 0o777
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        None
    }
}

/// Check the inputs and write `dir/config.toml`; nothing is written when a
/// check fails, and an existing configuration is never overwritten.
pub fn init(o: &InitOptions) -> eyre::Result<Initialised> {
    let config_path = o.dir.join("config.toml");
    if config_path.exists() {
        return Err(eyre!("{} exists: not overwritten", config_path.display()));
    }
    let genesis = load_genesis(&o.genesis)?;
    let suite = genesis.suite().map_err(|e| eyre!("{}", e.0))?;
    let keypair = load_p2p_key(&o.p2p_key)?;
    let peer_id = keypair.public().to_peer_id().to_string();
    let mut warnings = Vec::new();
    if let Some(path) = &o.consensus_key {
        let key = load_key(path)?;
        if key.suite() != suite {
            return Err(eyre!(
                "{}: the consortium signs with {} keys",
                path.display(),
                suite.name()
            ));
        }
        let pk = hex::encode(key.verifying_key().to_bytes());
        if !genesis
            .validators
            .iter()
            .any(|v| v.public_key.eq_ignore_ascii_case(&pk))
        {
            warnings.push(format!(
                "{}: not in the genesis validator set (right only if governance has added it since)",
                path.display()
            ));
        }
        warnings.extend(exposed(path));
    }
    warnings.extend(exposed(&o.p2p_key));
    for p in &o.peers {
        let addr: Multiaddr = p.parse().wrap_err_with(|| format!("peer {p}"))?;
        if !addr.to_string().contains("/p2p/") {
            return Err(eyre!(
                "peer {p}: no /p2p/<peer id> (only named identities may connect)"
            ));
        }
    }
    o.p2p_listen
        .parse::<Multiaddr>()
        .wrap_err("p2p listen address")?;
    o.grpc_listen
        .parse::<std::net::SocketAddr>()
        .wrap_err("gRPC listen address")?;
    if let Some(h) = &o.http_listen {
        h.parse::<std::net::SocketAddr>()
            .wrap_err("HTTP listen address")?;
    }
    for r in &o.relay {
        if !(r.starts_with("http://") || r.starts_with("https://")) {
            return Err(eyre!("relay {r}: an http:// or https:// URL"));
        }
    }
    // Relative paths in a configuration are read against its directory.
    let data_dir = match &o.data_dir {
        Some(d) => {
            std::fs::create_dir_all(d).wrap_err_with(|| format!("{}", d.display()))?;
            absolute(d)?
        }
        None => PathBuf::new(),
    };
    let config = NodeConfig {
        moniker: o.moniker.clone(),
        genesis: absolute(&o.genesis)?,
        consensus_key: o.consensus_key.as_deref().map(absolute).transpose()?,
        p2p_key: absolute(&o.p2p_key)?,
        db: data_dir.join("db"),
        wal: data_dir.join("wal"),
        p2p_listen: o.p2p_listen.clone(),
        peers: o.peers.clone(),
        grpc_listen: o.grpc_listen.clone(),
        relay: o.relay.clone(),
        http_listen: o.http_listen.clone(),
        verify_page: None,
        mempool_capacity: config::default_mempool(),
        block_cache_mb: config::default_block_cache_mb(),
        block_interval_ms: config::default_interval(),
        propose_timeout_ms: config::default_propose(),
        max_clock_skew_ms: config::default_skew(),
        faults: Default::default(),
    };
    std::fs::create_dir_all(&o.dir).wrap_err_with(|| format!("{}", o.dir.display()))?;
    std::fs::write(&config_path, config.to_toml())
        .wrap_err_with(|| format!("{}", config_path.display()))?;
    Ok(Initialised {
        config: config_path,
        peer_id,
        observer: o.consensus_key.is_none(),
        warnings,
    })
}
