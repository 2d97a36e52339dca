//! The audit indexes: which keys a committed record is listed under.
//! Derived from the records of a decided block when it commits (never while
//! a block is being checked), written in the block's own batch, and
//! rebuildable from the stored blocks (`yinzheng-node reindex`).
//!
//! Every key is `tag ‖ parts ‖ time_ms u64 BE ‖ log_index u64 BE`, strings
//! as `u16 BE length ‖ UTF-8`, so one prefix holds one list in time order;
//! the value is `record id (32) ‖ height u64 BE ‖ time_ms u64 BE`.

use std::collections::HashMap;

use prost::Message;
use yinzheng_crypto::Digest;
use yinzheng_ledger::StateKey;
use yinzheng_ledger::ecert::parse_ecert_id;
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::proto::{IssueCertificate, SealState, UseAuthorisationState};

/// Certificates by issuer and type: issued, superseded, revoked, status set.
pub const CERT: u8 = 1;
/// Certificates by issuer, every type.
pub const CERT_ANY: u8 = 2;
/// Seals by owner: registered, revoked, stamped.
pub const SEAL: u8 = 3;
/// Data-sharing requests by party (`role` byte, then the organisation).
pub const EXCHANGE: u8 = 4;
/// The steps of one exchange, by request id (no time part).
pub const STEPS: u8 = 5;
/// Everything naming a holder commitment.
pub const HOLDER: u8 = 6;
/// Network identities registered and removed (one list, in time order):
/// what a node reads at start to admit the identities in force.
pub const PEERS: u8 = 7;

/// A party to a data-sharing exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// 需求方: asks for the data.
    Requester = 1,
    /// 提供方: holds the data.
    Provider = 2,
    /// 审批方: approves the request.
    Approver = 3,
}

impl Role {
    /// From its name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "requester" => Some(Role::Requester),
            "provider" => Some(Role::Provider),
            "approver" => Some(Role::Approver),
            _ => None,
        }
    }
}

/// Append a length-prefixed string.
pub fn push_str(k: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let n = u16::try_from(b.len()).unwrap_or(u16::MAX);
    k.extend_from_slice(&n.to_be_bytes());
    k.extend_from_slice(&b[..usize::from(n)]);
}

/// The prefix of one list.
pub fn prefix(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut k = vec![tag];
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

/// A string as a key part.
pub fn part(s: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + s.len());
    push_str(&mut k, s);
    k
}

/// Reads of committed state the derivation needs (a seal's owner, an
/// authorisation's holder).
pub trait Lookup {
    /// A committed state value.
    fn state(&self, key: &StateKey) -> Option<Vec<u8>>;
}

/// Where a committed record sits.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    /// Its block's height.
    pub height: u64,
    /// Its block's time.
    pub time_ms: u64,
    /// Its log index.
    pub log_index: u64,
}

/// One committed record as the indexes read it: its id, what it does
/// and where it was placed.
#[derive(Debug, Clone, Copy)]
pub struct Indexed<'a> {
    /// The record id.
    pub id: Digest,
    /// Its payload.
    pub kind: &'a Kind,
    /// Where the ledger placed it.
    pub at: Placed,
}

/// Index entries (key, value) for the records of one block, in order.
pub fn entries(lookup: &dyn Lookup, records: &[Indexed<'_>]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    // Seals registered and authorisations recorded earlier in this block.
    let mut owners: HashMap<String, String> = HashMap::new();
    let mut holders: HashMap<Digest, Vec<u8>> = HashMap::new();
    for &Indexed { id, kind, at } in records {
        let mut value = id.0.to_vec();
        value.extend_from_slice(&at.height.to_be_bytes());
        value.extend_from_slice(&at.time_ms.to_be_bytes());
        let mut put = |mut key: Vec<u8>, timed: bool| {
            if timed {
                key.extend_from_slice(&at.time_ms.to_be_bytes());
            }
            key.extend_from_slice(&at.log_index.to_be_bytes());
            out.push((key, value.clone()));
        };
        match kind {
            Kind::IssueCertificate(c) => certificate(&mut put, c),
            Kind::SupersedeCertificate(s) => {
                if let Some(c) = &s.replacement {
                    certificate(&mut put, c);
                }
            }
            Kind::RevokeCertificate(c) if !c.issuer.is_empty() => {
                put(prefix(CERT, &[&part(&c.issuer), &part(&c.type_code)]), true);
                put(prefix(CERT_ANY, &[&part(&c.issuer)]), true);
            }
            Kind::SetCertificateStatus(s) => {
                if let Ok(id) = parse_ecert_id(&s.identifier) {
                    put(
                        prefix(CERT, &[&part(&id.issuer), &part(&id.type_code)]),
                        true,
                    );
                    put(prefix(CERT_ANY, &[&part(&id.issuer)]), true);
                }
            }
            Kind::AuthoriseUse(a) => {
                holders.insert(id, a.holder_commitment.clone());
                if is_commitment(&a.holder_commitment) {
                    put(prefix(HOLDER, &[&a.holder_commitment]), true);
                }
            }
            Kind::UseCertificate(u) => {
                let holder = Digest::from_slice(&u.authorisation).and_then(|auth| {
                    holders.get(&auth).cloned().or_else(|| {
                        lookup
                            .state(&StateKey::UseAuthorisation(auth))
                            .and_then(|v| UseAuthorisationState::decode(v.as_slice()).ok())
                            .map(|s| s.holder_commitment)
                    })
                });
                if let Some(h) = holder.filter(|h| is_commitment(h)) {
                    put(prefix(HOLDER, &[&h]), true);
                }
            }
            Kind::RegisterSeal(s) => {
                owners.insert(s.seal_id.clone(), s.owner.clone());
                put(prefix(SEAL, &[&part(&s.owner)]), true);
            }
            Kind::RevokeSeal(s) => {
                if let Some(o) = owner(lookup, &owners, &s.seal_id) {
                    put(prefix(SEAL, &[&part(&o)]), true);
                }
            }
            Kind::Stamp(s) => {
                if let Some(o) = owner(lookup, &owners, &s.seal_id) {
                    put(prefix(SEAL, &[&part(&o)]), true);
                }
            }
            Kind::ShareRequest(q) => {
                for (role, org) in [
                    (Role::Requester, &q.requester),
                    (Role::Provider, &q.provider),
                    (Role::Approver, &q.approver),
                ] {
                    put(prefix(EXCHANGE, &[&[role as u8], &part(org)]), true);
                }
                put(prefix(STEPS, &[&part(&q.request_id)]), false);
                if is_commitment(&q.holder_commitment) {
                    put(prefix(HOLDER, &[&q.holder_commitment]), true);
                }
            }
            Kind::ShareDecision(d) => put(prefix(STEPS, &[&part(&d.request_id)]), false),
            Kind::ShareDelivery(d) => put(prefix(STEPS, &[&part(&d.request_id)]), false),
            Kind::ShareReceipt(d) => put(prefix(STEPS, &[&part(&d.request_id)]), false),
            Kind::RegisterPeer(_) | Kind::RemovePeer(_) => put(prefix(PEERS, &[]), true),
            _ => {}
        }
    }
    out
}

/// Only a 32-byte commitment is listed: the holder part of a key has no
/// length prefix, so another length could land in someone else's list.
fn is_commitment(h: &[u8]) -> bool {
    h.len() == 32
}

fn certificate(put: &mut impl FnMut(Vec<u8>, bool), c: &IssueCertificate) {
    put(prefix(CERT, &[&part(&c.issuer), &part(&c.type_code)]), true);
    put(prefix(CERT_ANY, &[&part(&c.issuer)]), true);
    for h in std::iter::once(&c.holder_commitment).chain(&c.co_holder_commitments) {
        if is_commitment(h) {
            put(prefix(HOLDER, &[h]), true);
        }
    }
}

fn owner(lookup: &dyn Lookup, owners: &HashMap<String, String>, seal_id: &str) -> Option<String> {
    owners.get(seal_id).cloned().or_else(|| {
        lookup
            .state(&StateKey::Seal(seal_id.to_owned()))
            .and_then(|v| SealState::decode(v.as_slice()).ok())
            .map(|s| s.owner)
    })
}
