//! Relaying admitted records to the other members' mempools, so the next
//! proposer, whoever it is, includes them. Best effort: a record that does
//! not reach a peer still commits when this node proposes.

use std::time::Duration;

use tokio::sync::mpsc;
use tonic::transport::Endpoint;
use tracing::debug;

use crate::proto::RelayRequest;
use crate::proto::node_client::NodeClient;

/// Most records in one relay message.
const BATCH: usize = 1000;
/// Longest a record waits to be batched.
const LINGER: Duration = Duration::from_millis(20);

/// Start relaying to `peers` (gRPC URLs); returns the queue to feed.
pub fn start(peers: Vec<String>) -> Option<mpsc::Sender<Vec<u8>>> {
    if peers.is_empty() {
        return None;
    }
    let clients: Vec<_> = peers
        .iter()
        .filter_map(|u| Endpoint::from_shared(u.clone()).ok())
        .map(|e| NodeClient::new(e.connect_lazy()))
        .collect();
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(20_000);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + LINGER;
            while batch.len() < BATCH {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(r)) => batch.push(r),
                    Ok(None) | Err(_) => break,
                }
            }
            for c in &clients {
                let mut c = c.clone();
                let req = RelayRequest {
                    records: batch.clone(),
                };
                tokio::spawn(async move {
                    if let Err(e) = c.relay(req).await {
                        debug!(error = %e.message(), "relay to a peer failed");
                    }
                });
            }
        }
    });
    Some(tx)
}
