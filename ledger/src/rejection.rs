//! Why a record is refused: a stable code and a human message.

use core::fmt;

/// Stable reason codes for refused records (`docs/spec/records.md` §5).
///
/// The string forms never change meaning; new codes may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum RejectCode {
    /// Bytes that do not decode as an envelope or body.
    Malformed,
    /// Decodes, but is not the canonical encoding of what it decodes to.
    NonCanonical,
    /// Larger than the maximum record size.
    Oversize,
    /// Signed for another chain.
    WrongChain,
    /// A signature that does not verify, or a malformed signature or key.
    BadSignature,
    /// No signature, or not the signers the kind needs.
    MissingSignature,
    /// A field of the wrong form (credit code, division, digest length…).
    InvalidField,
    /// The signer's claimed time is too far in the past.
    Expired,
    /// The signer's claimed time is too far in the future.
    FromTheFuture,
    /// The same record was already committed.
    Duplicate,
    /// A signer key that was never registered.
    UnknownKey,
    /// A signer key that has been revoked.
    KeyRevoked,
    /// A signer key outside its validity window at block time.
    KeyNotValid,
    /// A registered key without the authority this record needs.
    Unauthorised,
    /// The subject (certificate, seal, organisation, request) does not exist.
    NotFound,
    /// The subject already exists.
    AlreadyExists,
    /// The subject is not active (revoked, superseded, deactivated).
    NotActive,
    /// A step out of its lifecycle order (data sharing).
    OutOfOrder,
    /// Outside the subject's validity window at block time.
    OutsideValidity,
    /// A national-format seal that does not verify: its maker's signature,
    /// its maker's certificate, or its structure (`docs/spec/seals.md` §6).
    BadSeal,
    /// An anchored stamping that does not verify against its registered
    /// seal: another seal, a signer the seal does not admit, or a signature
    /// that fails (`docs/spec/seals.md` §7).
    BadStamping,
    /// A GB/T 36904 identifier that does not parse, whose check character is
    /// wrong (or the legacy variant on a record not marked imported), or
    /// whose segments disagree with the record (`docs/spec/ecert.md` §1).
    BadIdentifier,
    /// A use under an authorisation whose time has ended.
    AuthorisationExpired,
    /// A use under an authorisation whose count is spent.
    AuthorisationUsedUp,
}

impl RejectCode {
    /// The stable string form, e.g. `BAD_SIGNATURE`.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectCode::Malformed => "MALFORMED",
            RejectCode::NonCanonical => "NON_CANONICAL",
            RejectCode::Oversize => "OVERSIZE",
            RejectCode::WrongChain => "WRONG_CHAIN",
            RejectCode::BadSignature => "BAD_SIGNATURE",
            RejectCode::MissingSignature => "MISSING_SIGNATURE",
            RejectCode::InvalidField => "INVALID_FIELD",
            RejectCode::Expired => "EXPIRED",
            RejectCode::FromTheFuture => "FROM_THE_FUTURE",
            RejectCode::Duplicate => "DUPLICATE",
            RejectCode::UnknownKey => "UNKNOWN_KEY",
            RejectCode::KeyRevoked => "KEY_REVOKED",
            RejectCode::KeyNotValid => "KEY_NOT_VALID",
            RejectCode::Unauthorised => "UNAUTHORISED",
            RejectCode::NotFound => "NOT_FOUND",
            RejectCode::AlreadyExists => "ALREADY_EXISTS",
            RejectCode::NotActive => "NOT_ACTIVE",
            RejectCode::OutOfOrder => "OUT_OF_ORDER",
            RejectCode::OutsideValidity => "OUTSIDE_VALIDITY",
            RejectCode::BadSeal => "BAD_SEAL",
            RejectCode::BadStamping => "BAD_STAMPING",
            RejectCode::BadIdentifier => "BAD_IDENTIFIER",
            RejectCode::AuthorisationExpired => "AUTHORISATION_EXPIRED",
            RejectCode::AuthorisationUsedUp => "AUTHORISATION_USED_UP",
        }
    }
}

impl fmt::Display for RejectCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refused record: a stable code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Rejection {
    /// Stable machine-readable reason.
    pub code: RejectCode,
    /// What exactly was wrong.
    pub message: String,
}

impl Rejection {
    /// A rejection with a code and message.
    pub fn new(code: RejectCode, message: impl Into<String>) -> Self {
        Rejection {
            code,
            message: message.into(),
        }
    }
}

/// Shorthand: `Err(Rejection)`.
pub(crate) fn reject<T>(code: RejectCode, message: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection::new(code, message))
}
