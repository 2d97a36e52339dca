//! The application side of consensus: answers the engine's requests
//! (build a block, check a block, commit a decided block, serve history to
//! syncing peers) over the channels of `malachitebft-app-channel`.
//!
//! [`state`] holds the loop's own state and what it does with blocks,
//! [`handlers`] answers each engine message, [`certificate`] converts
//! certificates, [`publish`] streams our proposals.

mod certificate;
mod error;
mod handlers;
mod liveness;
mod publish;
mod state;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use malachitebft_app_channel::Channels;
use tokio::sync::broadcast;
use yinzheng_crypto::Digest;
use yinzheng_ledger::Rejection;

pub use error::AppError;

use crate::chain::Chain;
use crate::consensus::signing::{ConsensusSigner, ConsensusVerifier};
use crate::consensus::{Address, Yz};
use crate::mempool::Mempool;

/// What happened to records, for waiting submitters and block streams.
#[derive(Debug, Clone)]
pub enum Event {
    /// A block committed.
    Committed(Arc<CommittedBlock>),
    /// A record was refused when its block was built.
    Refused(Digest, Rejection),
}

/// A summary of a committed block.
#[derive(Debug)]
pub struct CommittedBlock {
    /// Its height.
    pub height: u64,
    /// Log index of its first record.
    pub first_log_index: u64,
    /// Its records, in order.
    pub record_ids: Vec<Digest>,
}

/// Consensus timing.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Shortest time between blocks.
    pub block_interval: Duration,
    /// How long to wait for a proposal before voting nil.
    pub propose_timeout: Duration,
    /// Largest accepted lead of a block's time over our clock.
    pub max_skew_ms: u64,
}

/// State shared by the consensus loop and the API.
pub struct Shared {
    /// The chain.
    pub chain: Chain,
    /// Waiting records.
    pub mempool: std::sync::Mutex<Mempool>,
    /// Committed blocks and refused records.
    pub events: broadcast::Sender<Event>,
    /// Node name.
    pub moniker: String,
    /// This validator's consensus key.
    pub consensus_public_key: Vec<u8>,
    /// Admitted records to offer to the other members (best effort).
    pub relay: Option<tokio::sync::mpsc::Sender<Vec<u8>>>,
    /// Largest clock difference accepted (block times, relay requests).
    pub max_skew_ms: u64,
    /// Open block streams per client address (bounded, threat model A5).
    pub streams: crate::limits::StreamLimiter,
    /// What the operator's `/metrics` shows.
    pub metrics: crate::metrics::Metrics,
    /// The genesis the node runs (its `/v1` reads bundles back with it).
    pub genesis: yinzheng_ledger::genesis::Genesis,
    /// An observer: follows and serves, never votes, takes no submissions.
    pub observer: bool,
}

impl Shared {
    /// The mempool, even if a panic poisoned its lock (its data stays valid:
    /// every operation leaves it consistent).
    pub fn pool(&self) -> std::sync::MutexGuard<'_, Mempool> {
        self.mempool.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    t.saturating_add_signed(CLOCK_OFFSET_MS.load(std::sync::atomic::Ordering::Relaxed))
}

/// A deliberate clock error (fault tests only: `faults.clock_offset_ms`).
static CLOCK_OFFSET_MS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

/// Run this node's clock `ms` ahead (or behind): fault tests only.
pub fn set_clock_offset_ms(ms: i64) {
    CLOCK_OFFSET_MS.store(ms, std::sync::atomic::Ordering::Relaxed);
}

/// Signs our proposal parts and checks others' (threat model A2).
pub struct PartSigning {
    /// Our consensus key's signer (none on an observer, which never proposes).
    pub signer: Option<Arc<ConsensusSigner>>,
    /// The verifier of the proposers' signatures.
    pub verifier: Arc<ConsensusVerifier>,
    /// Deliberate misbehaviour (fault tests only).
    pub faults: crate::config::Faults,
}

/// Run the consensus loop until the engine stops.
pub async fn run(
    shared: Arc<Shared>,
    mut channels: Channels<Yz>,
    address: Address,
    timing: Timing,
    parts: PartSigning,
) -> eyre::Result<()> {
    let heard = Arc::new(liveness::Heard::new(std::time::Instant::now()));
    tokio::spawn(liveness::listen(
        channels.events.subscribe(),
        shared.clone(),
        heard.clone(),
    ));
    let mut app = state::App::new(shared, address, timing, parts, heard);
    while let Some(msg) = channels.consensus.recv().await {
        handlers::handle(&mut app, &channels, msg).await;
    }
    Ok(())
}
