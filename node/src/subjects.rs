//! What a request names (a record, a certificate, a seal, a stamping, a
//! national certificate, a use, a type) and the record that proves it: one
//! resolution for the gRPC and the HTTP APIs.

use prost::Message;
use yinzheng_crypto::Digest;
use yinzheng_ledger::StateKey;
use yinzheng_ledger::proto::UseState;

use crate::chain::Chain;
use crate::proto::subject_ref::By;

/// Why a subject cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectError {
    /// The reference itself is wrong (a digest of the wrong length).
    Malformed(String),
    /// Nothing committed under it.
    NotFound(String),
    /// The store failed.
    Internal(String),
}

fn digest(b: &[u8], what: &str) -> Result<Digest, SubjectError> {
    Digest::from_slice(b)
        .ok_or_else(|| SubjectError::Malformed(format!("{what} must be 32 bytes, got {}", b.len())))
}

/// The state key a reference names (a record id names its `Record` entry).
pub fn key_of(by: By) -> Result<StateKey, SubjectError> {
    Ok(match by {
        By::RecordId(id) => StateKey::Record(digest(&id, "record id")?),
        By::Certificate(c) => StateKey::Certificate {
            issuer: c.issuer,
            type_code: c.type_code,
            cert_no: c.cert_no,
        },
        By::SealId(s) => StateKey::Seal(s),
        By::Stamping(d) => StateKey::Stamping(digest(&d, "stamping")?),
        By::Ecert(id) => StateKey::Ecert(id),
        By::EcertUse(u) => StateKey::Use {
            identifier: u.identifier,
            n: u.n,
        },
        By::CertType(t) => StateKey::CertType(t),
    })
}

/// The record that proves the subject: the record itself, the one that
/// created the subject, or, for a use, the use's record.
pub fn record_of(chain: &Chain, by: By) -> Result<Digest, SubjectError> {
    let internal = |e: &dyn std::fmt::Display| SubjectError::Internal(e.to_string());
    let key = match by {
        By::RecordId(id) => return digest(&id, "record id"),
        use_ref @ By::EcertUse(_) => {
            // A use is found through its state entry, which names its record.
            let key = key_of(use_ref)?;
            let value = chain
                .state(&key)
                .map_err(|e| internal(&e))?
                .ok_or_else(|| SubjectError::NotFound(format!("no committed {key:?}")))?;
            let state = UseState::decode(value.as_slice()).map_err(|e| internal(&e))?;
            return digest(&state.record_id, "use record id");
        }
        other => key_of(other)?,
    };
    chain
        .subject_record(&key)
        .map_err(|e| internal(&e))?
        .ok_or_else(|| SubjectError::NotFound(format!("no committed {key:?}")))
}
