//! Network identities from committed state (`docs/spec/records.md` §3.3).
//! At start and after every committed block, the identities registered by
//! governance and not removed are the engine's persistent peers — the only
//! ones besides the configuration's bootstrap `peers` that may connect
//! (`persistent_peers_only`) — and a removed one is disconnected. Nothing
//! is restarted.

use std::collections::HashSet;
use std::sync::Arc;

use malachitebft_app_channel::NetworkRequest;
use malachitebft_app_channel::app::engine::network::PersistentPeerError;
use malachitebft_app_channel::app::net::{Multiaddr, PeerId};
use prost::Message;
use tokio::sync::{broadcast, mpsc};
use tracing::{info, warn};
use yinzheng_ledger::proto::PeerState;
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::{Record, StateKey};

use crate::app::{Event, Shared};
use crate::audit::index::{PEERS, prefix};
use crate::store::cf;

/// The libp2p peer id of an Ed25519 public key (32 bytes).
pub fn peer_id(public_key: &[u8]) -> Option<PeerId> {
    let pk = libp2p_identity::ed25519::PublicKey::try_from_bytes(public_key).ok()?;
    Some(libp2p_identity::PublicKey::from(pk).to_peer_id())
}

/// Whether the identity is admitted in committed state.
fn admitted(shared: &Shared, public_key: &[u8]) -> bool {
    shared
        .chain
        .state(&StateKey::Peer(public_key.to_vec()))
        .ok()
        .flatten()
        .and_then(|v| PeerState::decode(v.as_slice()).ok())
        .is_some_and(|s| s.removed_at_height == 0)
}

/// The public key named by the `RegisterPeer` or `RemovePeer` an index
/// entry lists.
fn named_key(shared: &Shared, key: &[u8], value: &[u8]) -> Option<Vec<u8>> {
    let hit = crate::audit::hit(&shared.chain, key, value).ok()?;
    let r = Record::parse(shared.chain.params(), &hit.record).ok()?;
    match r.payload()? {
        Kind::RegisterPeer(p) => Some(p.peer_public_key.clone()),
        Kind::RemovePeer(p) => Some(p.peer_public_key.clone()),
        _ => None,
    }
}

/// The peer ids named in the configuration's `peers` (`…/p2p/<peer id>`).
pub fn bootstrap_ids(peers: &[String]) -> HashSet<PeerId> {
    peers
        .iter()
        .filter_map(|a| a.rsplit_once("/p2p/")?.1.parse().ok())
        .collect()
}

/// Follow the committed identities until the node stops. `bootstrap`: the
/// configuration's peers, left to the configuration.
pub async fn follow(
    shared: Arc<Shared>,
    net: mpsc::Sender<NetworkRequest>,
    bootstrap: HashSet<PeerId>,
) {
    // Subscribed before the first read, so no commit falls between.
    let mut events = shared.events.subscribe();
    let mut members = Members {
        net,
        bootstrap,
        added: HashSet::new(),
        retry: HashSet::new(),
        cursor: prefix(PEERS, &[]),
    };
    members.catch_up(&shared).await;
    loop {
        match events.recv().await {
            Ok(Event::Committed(_)) | Err(broadcast::error::RecvError::Lagged(_)) => {
                members.catch_up(&shared).await;
            }
            Ok(Event::Refused(..)) => {}
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

struct Members {
    net: mpsc::Sender<NetworkRequest>,
    bootstrap: HashSet<PeerId>,
    /// Identities this task made persistent.
    added: HashSet<PeerId>,
    /// Identities whose change the engine did not take yet (its network
    /// not started, say): tried again after the next block.
    retry: HashSet<Vec<u8>>,
    /// The last index entry read (the list's prefix before the first).
    cursor: Vec<u8>,
}

impl Members {
    /// Apply the identity changes committed since the last call.
    async fn catch_up(&mut self, shared: &Shared) {
        for key in std::mem::take(&mut self.retry) {
            self.apply(shared, &key).await;
        }
        let end = prefix(PEERS + 1, &[]);
        loop {
            let mut start = self.cursor.clone();
            start.push(0);
            let entries = match shared.chain.db().range(cf::AUDIT, &start, &end, 256) {
                Ok(e) => e,
                Err(e) => {
                    warn!(%e, "cannot read the registered network identities");
                    return;
                }
            };
            let Some((last, _)) = entries.last() else {
                return;
            };
            self.cursor = last.clone();
            for (key, value) in &entries {
                if let Some(peer_key) = named_key(shared, key, value) {
                    self.apply(shared, &peer_key).await;
                }
            }
        }
    }

    /// Make the engine's view of one identity match committed state.
    async fn apply(&mut self, shared: &Shared, key: &[u8]) {
        let Some(peer) = peer_id(key) else { return };
        if self.bootstrap.contains(&peer) {
            return;
        }
        let Ok(addr) = format!("/p2p/{peer}").parse::<Multiaddr>() else {
            return;
        };
        let want = admitted(shared, key);
        // One request at a time, each answered before the next; the set
        // records what the engine confirmed (or already had).
        if want && !self.added.contains(&peer) {
            match NetworkRequest::add_persistent_peer(&self.net, addr).await {
                Ok(Ok(()) | Err(PersistentPeerError::AlreadyExists)) => {
                    self.added.insert(peer);
                    info!(%peer, "network identity admitted by governance");
                }
                r => {
                    warn!(%peer, ?r, "could not admit a registered network identity (will retry)");
                    self.retry.insert(key.to_vec());
                }
            }
        } else if !want && self.added.contains(&peer) {
            match NetworkRequest::remove_persistent_peer(&self.net, addr).await {
                Ok(Ok(()) | Err(PersistentPeerError::NotFound)) => {
                    self.added.remove(&peer);
                    info!(%peer, "network identity removed by governance");
                }
                r => {
                    warn!(%peer, ?r, "could not remove a network identity (will retry)");
                    self.retry.insert(key.to_vec());
                }
            }
        }
    }
}
