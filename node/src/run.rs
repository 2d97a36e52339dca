//! Starting a node: open the chain, load keys, start the consensus engine
//! (network, sync, write-ahead log), the gRPC API, and the consensus loop.

use std::sync::Arc;
use std::time::Duration;

use bytesize::ByteSize;
use eyre::{WrapErr, eyre};
use malachitebft_app_channel::app::config::{ConsensusConfig, ValueSyncConfig};
use malachitebft_app_channel::app::types::Keypair;
use malachitebft_app_channel::{
    ConsensusContext, NetworkContext, NetworkIdentity, RequestContext, SyncContext, WalContext,
};
use malachitebft_config::{DiscoveryConfig, P2pConfig, ValuePayload};
use tokio::sync::broadcast;
use tracing::info;
use yinzheng_crypto::{Signer as _, SigningKey, Suite};
use yinzheng_ledger::genesis::Genesis;

use crate::app::{self, Shared, Timing};
use crate::chain::Chain;
use crate::config::NodeConfig;
use crate::consensus::codec::BorshCodec;
use crate::consensus::signing::{ConsensusSigner, ConsensusVerifier};
use crate::consensus::{Address, Yz};
use crate::mempool::Mempool;

/// The engine's view of our configuration.
#[derive(Clone, Debug)]
struct EngineConfig {
    moniker: String,
    consensus: ConsensusConfig,
    value_sync: ValueSyncConfig,
}

impl malachitebft_app_channel::app::config::NodeConfig for EngineConfig {
    fn moniker(&self) -> &str {
        &self.moniker
    }
    fn consensus(&self) -> &ConsensusConfig {
        &self.consensus
    }
    fn consensus_mut(&mut self) -> &mut ConsensusConfig {
        &mut self.consensus
    }
    fn value_sync(&self) -> &ValueSyncConfig {
        &self.value_sync
    }
    fn value_sync_mut(&mut self) -> &mut ValueSyncConfig {
        &mut self.value_sync
    }
}

/// Read a genesis file.
pub fn load_genesis(path: &std::path::Path) -> eyre::Result<Genesis> {
    let text = std::fs::read_to_string(path)
        .wrap_err_with(|| format!("reading genesis {}", path.display()))?;
    Genesis::from_json(&text).map_err(|e| eyre!("genesis {}: {}", path.display(), e.0))
}

/// Read a PEM key file (unencrypted PKCS#8 or SEC1).
pub fn load_key(path: &std::path::Path) -> eyre::Result<SigningKey> {
    let text = std::fs::read_to_string(path)
        .wrap_err_with(|| format!("reading key {}", path.display()))?;
    SigningKey::from_pem(&text, None).map_err(|e| eyre!("key {}: {e}", path.display()))
}

/// The libp2p identity in an Ed25519 key file.
pub fn load_p2p_key(path: &std::path::Path) -> eyre::Result<Keypair> {
    match load_key(path)? {
        SigningKey::Ed25519(k) => {
            let mut seed = *k.to_bytes();
            Keypair::ed25519_from_bytes(&mut seed).map_err(|e| eyre!("p2p key: {e}"))
        }
        _ => Err(eyre!("p2p key {} is not an Ed25519 key", path.display())),
    }
}

/// Run a node until the process is stopped.
pub async fn run(config: NodeConfig) -> eyre::Result<()> {
    let genesis = load_genesis(&config.genesis)?;
    let suite = genesis.suite().map_err(|e| eyre!("{}", e.0))?;
    let chain_id = genesis.chain_id.clone();
    let chain = Chain::open_with_cache(
        &config.db,
        &genesis,
        config.block_cache_mb.saturating_mul(1 << 20),
    )
    .map_err(|e| eyre!("database: {e}"))?;
    // Without a consensus key the node is an observer: it follows the
    // members' decisions (checking each commit certificate and executing each
    // block itself) and serves reads, but never votes or proposes.
    let key = match &config.consensus_key {
        Some(path) => {
            let key = load_key(path)?;
            if key.suite() != suite {
                return Err(eyre!("consensus key is not a {} key", suite.name()));
            }
            Some(key)
        }
        None => None,
    };
    let keypair = load_p2p_key(&config.p2p_key)?;
    let (public_key, address) = match &key {
        Some(k) => {
            let pk = k.verifying_key().to_bytes();
            let address = Address::of_key(suite, &pk);
            (pk, address)
        }
        // An address of the network identity: in no validator set.
        None => (
            Vec::new(),
            Address::of_key(suite, &keypair.public().encode_protobuf()),
        ),
    };
    // A member's readers wait for its consensus; an observer's are its job.
    crate::pools::lower_reads(key.is_some());
    info!(
        moniker = %config.moniker,
        role = if key.is_some() { "validator" } else { "observer" },
        %address,
        peer_id = %keypair.public().to_peer_id(),
        height = chain.height(),
        "starting"
    );

    let p2p = P2pConfig {
        listen_addr: config
            .p2p_listen
            .parse()
            .wrap_err("p2p_listen is not a multiaddr")?,
        persistent_peers: config
            .peers
            .iter()
            .map(|p| p.parse().wrap_err_with(|| format!("peer {p}")))
            .collect::<eyre::Result<_>>()?,
        // The allowlist: only the configured member identities connect.
        persistent_peers_only: true,
        discovery: DiscoveryConfig {
            enabled: false,
            ..Default::default()
        },
        pubsub_max_size: ByteSize::mib(16),
        rpc_max_size: ByteSize::mib(64),
        ..Default::default()
    };
    let engine_config = EngineConfig {
        moniker: config.moniker.clone(),
        consensus: ConsensusConfig {
            p2p,
            value_payload: ValuePayload::ProposalAndParts,
            ..Default::default()
        },
        value_sync: ValueSyncConfig {
            enabled: true,
            status_update_interval: Duration::from_secs(1),
            ..Default::default()
        },
    };
    std::fs::create_dir_all(&config.wal).wrap_err("creating the WAL directory")?;
    let identity = NetworkIdentity::new(
        config.moniker.clone(),
        keypair,
        key.as_ref().map(|_| address.to_string()),
    );
    // Relaying is between members (authenticated by the consensus key).
    let relay = key
        .clone()
        .and_then(|k| crate::relay::start(config.relay.clone(), chain_id.clone(), k));
    let part_signing = app::PartSigning {
        signer: key
            .clone()
            .map(|k| Arc::new(ConsensusSigner::new(chain_id.clone(), k))),
        verifier: Arc::new(ConsensusVerifier::new(chain_id.clone(), suite)),
        faults: config.faults.clone(),
    };
    if !config.faults.is_none() {
        tracing::warn!(faults = ?config.faults, "THIS NODE MISBEHAVES ON PURPOSE (fault tests only)");
        app::set_clock_offset_ms(config.faults.clock_offset_ms);
    }
    let observer = key.is_none();
    let verifier = Box::new(ConsensusVerifier::new(chain_id.clone(), suite));
    let consensus = match key {
        Some(key) => ConsensusContext::new_validator(
            address,
            verifier,
            Box::new(ConsensusSigner::new(chain_id.clone(), key)),
        ),
        None => ConsensusContext::new_full_node(address, verifier),
    };
    let (channels, _engine) = malachitebft_app_channel::start_engine(
        Yz,
        engine_config,
        WalContext::new(config.wal.join("consensus.wal"), BorshCodec),
        NetworkContext::new(identity, BorshCodec),
        consensus,
        SyncContext::new(BorshCodec),
        RequestContext::new(128),
    )
    .await?;

    let mut mempool = Mempool::new(config.mempool_capacity);
    let restored = crate::admission::restore(&chain, &mut mempool)
        .map_err(|e| eyre!("reading the stored mempool: {e}"))?;
    if restored.kept + restored.dropped > 0 {
        info!(
            kept = restored.kept,
            dropped = restored.dropped,
            "mempool restored from disk"
        );
    }
    let (events, _) = broadcast::channel(1024);
    let shared = Arc::new(Shared {
        chain,
        mempool: std::sync::Mutex::new(mempool),
        events,
        moniker: config.moniker.clone(),
        consensus_public_key: public_key,
        relay,
        max_skew_ms: config.max_clock_skew_ms,
        streams: crate::limits::StreamLimiter::default(),
        metrics: crate::metrics::Metrics::new(),
        genesis: genesis.clone(),
        observer,
    });
    shared
        .metrics
        .height
        .set(i64::try_from(shared.chain.height()).unwrap_or(i64::MAX));
    let grpc_addr = config
        .grpc_listen
        .parse()
        .wrap_err("grpc_listen is not host:port")?;
    let api = tokio::spawn(crate::grpc::serve(shared.clone(), grpc_addr));
    let http = match &config.http_listen {
        Some(a) => {
            let addr = a.parse().wrap_err("http_listen is not host:port")?;
            let page = config.verify_page.clone();
            tokio::spawn(crate::http::serve(shared.clone(), addr, page))
        }
        None => tokio::spawn(std::future::pending()),
    };
    let timing = Timing {
        block_interval: Duration::from_millis(config.block_interval_ms),
        propose_timeout: Duration::from_millis(config.propose_timeout_ms),
        max_skew_ms: config.max_clock_skew_ms,
    };
    tokio::spawn(crate::membership::follow(
        shared.clone(),
        channels.net_requests.clone(),
        crate::membership::bootstrap_ids(&config.peers),
    ));
    tokio::select! {
        r = app::run(shared, channels, address, timing, part_signing) => r,
        r = api => r.map_err(|e| eyre!("gRPC task: {e}"))?,
        r = http => r.map_err(|e| eyre!("HTTP task: {e}"))?,
    }
}

/// A suite name check used by the testnet generator and the node.
pub fn suite_of(genesis: &Genesis) -> eyre::Result<Suite> {
    genesis.suite().map_err(|e| eyre!("{}", e.0))
}
