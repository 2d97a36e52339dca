//! The state that records are executed against, as typed keys over the status map.

use std::collections::BTreeMap;

use prost::Message;
use yinzheng_crypto::{Digest, Suite};

use crate::LedgerError;

/// A key of the status map, before hashing (`docs/spec/status-map.md` §2).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum StateKey {
    /// An organisation, by credit code → `OrgState`.
    Org(String),
    /// A signing key, by public key bytes → `KeyState`.
    Key(Vec<u8>),
    /// An authority grant → `GrantState`.
    Grant {
        /// Grantee credit code.
        org: String,
        /// `AuthorityKind` number.
        kind: i32,
        /// Certificate type, or empty for seal authority.
        scope: String,
        /// Division code the grant covers.
        region: String,
    },
    /// A certificate, by issuer, type and number → `CertificateState`.
    /// Numbers are scoped by issuer: two issuers may use the same number.
    Certificate {
        /// Issuer's credit code.
        issuer: String,
        /// Certificate type code.
        type_code: String,
        /// Certificate number.
        cert_no: String,
    },
    /// A seal, by id → `SealState`.
    Seal(String),
    /// A data-sharing exchange, by request id → `ShareState`.
    Share(String),
    /// The validator set in force or pending → `ValidatorSetState`.
    Validators,
    /// A committed record, by id → `RecordState`.
    Record(Digest),
    /// An anchored national stamping, by SM3 of its `SES_Signature` DER →
    /// `StampingState`.
    Stamping(Digest),
    /// A national-form certificate, by its GB/T 36904 标识 →
    /// `CertificateState`.
    Ecert(String),
    /// A registered certificate type, by type code → `CertificateTypeState`.
    CertType(String),
    /// A holder's authorisation to use a certificate, by the record id of
    /// its `AuthoriseUse` → `UseAuthorisationState`.
    UseAuthorisation(Digest),
    /// The `n`-th use (from 1) of a national-form certificate → `UseState`.
    Use {
        /// The certificate's 标识.
        identifier: String,
        /// 1-based.
        n: u32,
    },
    /// A network identity admitted to the members, by its Ed25519 public
    /// key → `PeerState`.
    Peer(Vec<u8>),
}

impl StateKey {
    fn tag(&self) -> u8 {
        match self {
            StateKey::Org(_) => 1,
            StateKey::Key(_) => 2,
            StateKey::Grant { .. } => 3,
            StateKey::Certificate { .. } => 4,
            StateKey::Seal(_) => 5,
            StateKey::Share(_) => 6,
            StateKey::Validators => 7,
            StateKey::Record(_) => 8,
            StateKey::Stamping(_) => 9,
            StateKey::Ecert(_) => 10,
            StateKey::CertType(_) => 11,
            StateKey::UseAuthorisation(_) => 12,
            StateKey::Use { .. } => 13,
            StateKey::Peer(_) => 14,
        }
    }

    /// The 32-byte status-map key:
    /// `H("yinzheng/v1/state" ‖ 0x00 ‖ tag ‖ (u16 length ‖ bytes) per field)`.
    pub fn digest(&self, suite: Suite) -> Digest {
        let mut buf = Vec::with_capacity(96);
        buf.extend_from_slice(b"yinzheng/v1/state\0");
        buf.push(self.tag());
        let mut put = |b: &[u8]| {
            // Fields are bounded (MAX_TEXT, keys ≤ 65 bytes), so the length fits.
            let len = u16::try_from(b.len()).unwrap_or(u16::MAX);
            buf.extend_from_slice(&len.to_be_bytes());
            buf.extend_from_slice(b);
        };
        match self {
            StateKey::Org(s)
            | StateKey::Seal(s)
            | StateKey::Share(s)
            | StateKey::Ecert(s)
            | StateKey::CertType(s) => put(s.as_bytes()),
            StateKey::Use { identifier, n } => {
                put(identifier.as_bytes());
                put(&n.to_be_bytes());
            }
            StateKey::Key(k) | StateKey::Peer(k) => put(k),
            StateKey::Grant {
                org,
                kind,
                scope,
                region,
            } => {
                put(org.as_bytes());
                put(&kind.to_be_bytes());
                put(scope.as_bytes());
                put(region.as_bytes());
            }
            StateKey::Certificate {
                issuer,
                type_code,
                cert_no,
            } => {
                put(issuer.as_bytes());
                put(type_code.as_bytes());
                put(cert_no.as_bytes());
            }
            StateKey::Validators => {}
            StateKey::Record(d) | StateKey::Stamping(d) | StateKey::UseAuthorisation(d) => {
                put(&d.0)
            }
        }
        suite.hash(&buf)
    }
}

/// Read access to state.
pub trait StateView {
    /// The value under a key, if any.
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, LedgerError>;
}

/// Decode a stored state value.
pub(crate) fn decode_value<M: Message + Default>(bytes: &[u8]) -> Result<M, LedgerError> {
    M::decode(bytes).map_err(|e| LedgerError::Decode {
        what: "state value",
        reason: e.to_string(),
    })
}

/// Decode a typed value.
pub(crate) fn get_typed<M: Message + Default>(
    view: &dyn StateView,
    key: &StateKey,
) -> Result<Option<M>, LedgerError> {
    view.get(key)?.map(|b| decode_value(&b)).transpose()
}

/// Writes produced by executing records, in order; later writes win.
pub type WriteSet = Vec<(StateKey, Vec<u8>)>;

/// State in memory: for tests, the verifier's tooling and genesis.
#[derive(Debug, Clone, Default)]
pub struct MemState {
    map: BTreeMap<StateKey, Vec<u8>>,
}

impl MemState {
    /// Apply writes.
    pub fn apply(&mut self, writes: &WriteSet) {
        for (k, v) in writes {
            self.map.insert(k.clone(), v.clone());
        }
    }

    /// Every entry, in key order.
    pub fn entries(&self) -> impl Iterator<Item = (&StateKey, &Vec<u8>)> {
        self.map.iter()
    }
}

impl StateView for MemState {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, LedgerError> {
        Ok(self.map.get(key).cloned())
    }
}

/// Pending writes of a block over the state before it.
pub struct Overlay<'a> {
    base: &'a dyn StateView,
    pending: BTreeMap<StateKey, Vec<u8>>,
    order: WriteSet,
}

impl<'a> Overlay<'a> {
    /// An empty overlay on `base`.
    pub fn new(base: &'a dyn StateView) -> Self {
        Overlay {
            base,
            pending: BTreeMap::new(),
            order: Vec::new(),
        }
    }

    /// Add writes.
    pub fn extend(&mut self, writes: WriteSet) {
        for (k, v) in writes {
            self.pending.insert(k.clone(), v.clone());
            self.order.push((k, v));
        }
    }

    /// Every write, in the order made.
    pub fn into_writes(self) -> WriteSet {
        self.order
    }
}

impl StateView for Overlay<'_> {
    fn get(&self, key: &StateKey) -> Result<Option<Vec<u8>>, LedgerError> {
        match self.pending.get(key) {
            Some(v) => Ok(Some(v.clone())),
            None => self.base.get(key),
        }
    }
}
