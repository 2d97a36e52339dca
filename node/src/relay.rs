//! Relaying admitted records to the other members' mempools, so the next
//! proposer, whoever it is, includes them. Best effort: a record that does
//! not reach a peer still commits when this node proposes.
//!
//! Relay is for members only (threat model A5): each request is signed by
//! the sender's consensus key over its records and time, and a receiver
//! accepts it only from a validator of its current set, within the clock
//! skew it allows, and with at most [`MAX_RELAY_RECORDS`] records.

use std::time::Duration;

use tokio::sync::mpsc;
use tonic::transport::Endpoint;
use tracing::debug;
use yinzheng_crypto::{Signature, Signer, SigningKey, Suite, Verifier};
use yinzheng_ledger::TrustedValidators;

use crate::proto::RelayRequest;
use crate::proto::node_client::NodeClient;

/// Most records in one relay message; a receiver refuses more.
pub const MAX_RELAY_RECORDS: usize = 1000;
/// Longest a record waits to be batched.
const LINGER: Duration = Duration::from_millis(20);

/// The bytes a relay request's signature covers:
/// `"yinzheng/v1/relay" 0x00 ‖ chain_id (u16 len) ‖ time_ms u64 ‖ H(records)`,
/// where `H(records)` is the suite hash of each record as `u32 len ‖ bytes`.
pub fn relay_message(suite: Suite, chain_id: &str, time_ms: u64, records: &[Vec<u8>]) -> Vec<u8> {
    let mut all = Vec::with_capacity(records.iter().map(|r| r.len() + 4).sum());
    for r in records {
        // Records are bounded (16 KiB), so the length fits.
        all.extend_from_slice(&u32::try_from(r.len()).unwrap_or(u32::MAX).to_be_bytes());
        all.extend_from_slice(r);
    }
    let mut m = Vec::with_capacity(96);
    m.extend_from_slice(b"yinzheng/v1/relay\0");
    let id = chain_id.as_bytes();
    m.extend_from_slice(&u16::try_from(id.len()).unwrap_or(u16::MAX).to_be_bytes());
    m.extend_from_slice(id);
    m.extend_from_slice(&time_ms.to_be_bytes());
    m.extend_from_slice(&suite.hash(&all).0);
    m
}

/// Why a relay request is refused.
#[derive(Debug, thiserror::Error)]
pub enum RelayAuthError {
    /// More records than [`MAX_RELAY_RECORDS`].
    #[error("{0} records in one relay request, the limit is {MAX_RELAY_RECORDS}")]
    TooMany(usize),
    /// The sender is not a validator of the current set.
    #[error("relay sender is not a member")]
    NotMember,
    /// The request's time is too far from ours.
    #[error("relay request time is {0} ms away from ours")]
    Stale(u64),
    /// The signature does not verify.
    #[error("relay signature: {0}")]
    BadSignature(String),
}

/// Check a relay request's sender before any of its records is looked at.
///
/// `members` is the set of the next height with its keys decoded once
/// (the chain's head keeps it), so a member's key verifies with the table
/// it builds after its first uses (ADR 0004).
pub fn authenticate(
    suite: Suite,
    chain_id: &str,
    members: &TrustedValidators,
    now_ms: u64,
    max_skew_ms: u64,
    req: &RelayRequest,
) -> Result<(), RelayAuthError> {
    if req.records.len() > MAX_RELAY_RECORDS {
        return Err(RelayAuthError::TooMany(req.records.len()));
    }
    let Some(key) = members.key_of(&req.public_key) else {
        return Err(RelayAuthError::NotMember);
    };
    let off = now_ms.abs_diff(req.time_ms);
    if off > max_skew_ms {
        return Err(RelayAuthError::Stale(off));
    }
    let bad = |e: yinzheng_crypto::CryptoError| RelayAuthError::BadSignature(e.to_string());
    let sig = Signature::from_raw(suite, &req.signature).map_err(bad)?;
    key.verify(
        &relay_message(suite, chain_id, req.time_ms, &req.records),
        &sig,
    )
    .map_err(bad)
}

/// Start relaying to `peers` (gRPC URLs), signing with `key`; returns the queue to feed.
pub fn start(
    peers: Vec<String>,
    chain_id: String,
    key: SigningKey,
) -> Option<mpsc::Sender<Vec<u8>>> {
    if peers.is_empty() {
        return None;
    }
    let clients: Vec<_> = peers
        .iter()
        .filter_map(|u| Endpoint::from_shared(u.clone()).ok())
        .map(|e| NodeClient::new(e.connect_lazy()))
        .collect();
    let public_key = key.verifying_key().to_bytes();
    let suite = key.suite();
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(20_000);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + LINGER;
            while batch.len() < MAX_RELAY_RECORDS {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(r)) => batch.push(r),
                    Ok(None) | Err(_) => break,
                }
            }
            let time_ms = crate::app::now_ms();
            let signature = match key.sign(&relay_message(suite, &chain_id, time_ms, &batch)) {
                Ok(s) => s.to_bytes().to_vec(),
                Err(e) => {
                    debug!(%e, "could not sign a relay request");
                    continue;
                }
            };
            let req = RelayRequest {
                records: batch,
                public_key: public_key.clone(),
                signature,
                time_ms,
            };
            for c in &clients {
                let mut c = c.clone();
                let req = req.clone();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request(key: &SigningKey, time_ms: u64, records: Vec<Vec<u8>>) -> RelayRequest {
        let suite = key.suite();
        let signature = key
            .sign(&relay_message(suite, "chain", time_ms, &records))
            .unwrap()
            .to_bytes()
            .to_vec();
        RelayRequest {
            records,
            public_key: key.verifying_key().to_bytes(),
            signature,
            time_ms,
        }
    }

    fn set(keys: &[&SigningKey]) -> TrustedValidators {
        let validators = keys
            .iter()
            .map(|k| yinzheng_ledger::proto::Validator {
                public_key: k.verifying_key().to_bytes(),
                power: 1,
                org: String::new(),
            })
            .collect();
        let set = yinzheng_ledger::proto::ValidatorSet { validators };
        TrustedValidators::new(Suite::Sm, set).unwrap()
    }

    /// Only a member of the set, within the clock skew, with a signature
    /// over exactly the records and time sent, and with at most
    /// `MAX_RELAY_RECORDS` records, is heard; a member who left is not.
    #[test]
    fn only_current_members_are_heard() {
        let suite = Suite::Sm;
        let (a, b, stranger) = (
            SigningKey::generate(suite).unwrap(),
            SigningKey::generate(suite).unwrap(),
            SigningKey::generate(suite).unwrap(),
        );
        let members = set(&[&a, &b]);
        let check = |members: &TrustedValidators, req: &RelayRequest| {
            authenticate(suite, "chain", members, 1_000, 500, req)
        };
        for n in 0..3u8 {
            check(&members, &request(&a, 1_000 + u64::from(n), vec![vec![n]])).unwrap();
        }
        check(&members, &request(&b, 600, vec![vec![1]])).unwrap();
        assert!(matches!(
            check(&members, &request(&stranger, 1_000, vec![vec![1]])),
            Err(RelayAuthError::NotMember)
        ));
        let mut forged = request(&a, 1_000, vec![vec![1]]);
        forged.records = vec![vec![2]];
        assert!(matches!(
            check(&members, &forged),
            Err(RelayAuthError::BadSignature(_))
        ));
        let mut garbled = request(&a, 1_000, vec![vec![1]]);
        garbled.signature.truncate(10);
        assert!(matches!(
            check(&members, &garbled),
            Err(RelayAuthError::BadSignature(_))
        ));
        assert!(matches!(
            check(&members, &request(&a, 2_000, vec![vec![1]])),
            Err(RelayAuthError::Stale(1_000))
        ));
        let many = vec![vec![0u8]; MAX_RELAY_RECORDS + 1];
        assert!(matches!(
            check(&members, &request(&a, 1_000, many)),
            Err(RelayAuthError::TooMany(_))
        ));
        // `a` leaves the set.
        let members = set(&[&b]);
        assert!(matches!(
            check(&members, &request(&a, 1_000, vec![vec![1]])),
            Err(RelayAuthError::NotMember)
        ));
        check(&members, &request(&b, 1_000, vec![vec![1]])).unwrap();
    }
}
