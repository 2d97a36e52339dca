//! The verifier's stable reason codes (`docs/spec/bundle.md` §6).

use core::fmt;

use crate::rejection::RejectCode;

/// Why a bundle is not proven. The string forms are stable; a step-4 code
/// of the record itself is the record's own [`RejectCode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerifyCode {
    /// Step 0: more bytes than the verifier reads.
    Oversize,
    /// Any step: a message that does not decode, or a field of the wrong form.
    Malformed,
    /// Step 0: a bundle version this verifier does not know.
    Version,
    /// Step 2: a checkpoint of another chain.
    WrongChain,
    /// Step 1: a validator-set change that does not follow from the sets before.
    ValidatorChain,
    /// Step 1: a set this verifier knows was replaced (§6.1).
    SupersededSet,
    /// Step 2: a commit certificate that does not verify.
    CommitCertificate,
    /// Step 2: a status checkpoint older than the record's block.
    StatusBeforeAnchor,
    /// Steps 1 and 3: state commitments that do not match their header.
    StateCommitments,
    /// Step 3: the record is not proven in its block.
    InclusionProof,
    /// Step 3: the record is not proven in the status checkpoint's log.
    LogInclusionProof,
    /// Step 4: a signer key not registered at the status checkpoint.
    UnknownKey,
    /// Step 4: a stamp not signed by its seal's registered key.
    Unauthorised,
    /// Step 4: the record itself is refused (decoding, canonical form,
    /// fields, signatures).
    Record(RejectCode),
    /// Step 5: no valid status-map proof for an entry the record needs.
    StatusProof,
    /// Step 5: the proven status belongs to another record.
    StatusMismatch,
    /// Step 6: a stamp made outside its seal's validity window.
    OutsideValidity,
    /// Step 7: the file is not the one the record certifies.
    FileMismatch,
    /// Step 7: a file was given for a record that certifies none.
    NoFileDigest,
    /// Step 8: a display field's opening does not match the record's
    /// commitment, or names none.
    FieldOpening,
}

impl VerifyCode {
    /// Every code but the record's own (which are [`RejectCode`]s).
    pub const OWN: [VerifyCode; 19] = [
        VerifyCode::Oversize,
        VerifyCode::Malformed,
        VerifyCode::Version,
        VerifyCode::WrongChain,
        VerifyCode::ValidatorChain,
        VerifyCode::SupersededSet,
        VerifyCode::CommitCertificate,
        VerifyCode::StatusBeforeAnchor,
        VerifyCode::StateCommitments,
        VerifyCode::InclusionProof,
        VerifyCode::LogInclusionProof,
        VerifyCode::UnknownKey,
        VerifyCode::Unauthorised,
        VerifyCode::StatusProof,
        VerifyCode::StatusMismatch,
        VerifyCode::OutsideValidity,
        VerifyCode::FileMismatch,
        VerifyCode::NoFileDigest,
        VerifyCode::FieldOpening,
    ];

    /// The stable string form, e.g. `INCLUSION_PROOF`.
    pub fn as_str(self) -> &'static str {
        match self {
            VerifyCode::Oversize => "OVERSIZE",
            VerifyCode::Malformed => "MALFORMED",
            VerifyCode::Version => "VERSION",
            VerifyCode::WrongChain => "WRONG_CHAIN",
            VerifyCode::ValidatorChain => "VALIDATOR_CHAIN",
            VerifyCode::SupersededSet => "SUPERSEDED_SET",
            VerifyCode::CommitCertificate => "COMMIT_CERTIFICATE",
            VerifyCode::StatusBeforeAnchor => "STATUS_BEFORE_ANCHOR",
            VerifyCode::StateCommitments => "STATE_COMMITMENTS",
            VerifyCode::InclusionProof => "INCLUSION_PROOF",
            VerifyCode::LogInclusionProof => "LOG_INCLUSION_PROOF",
            VerifyCode::UnknownKey => "UNKNOWN_KEY",
            VerifyCode::Unauthorised => "UNAUTHORISED",
            VerifyCode::Record(c) => c.as_str(),
            VerifyCode::StatusProof => "STATUS_PROOF",
            VerifyCode::StatusMismatch => "STATUS_MISMATCH",
            VerifyCode::OutsideValidity => "OUTSIDE_VALIDITY",
            VerifyCode::FileMismatch => "FILE_MISMATCH",
            VerifyCode::NoFileDigest => "NO_FILE_DIGEST",
            VerifyCode::FieldOpening => "FIELD_OPENING",
        }
    }
}

impl fmt::Display for VerifyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for VerifyCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A code compares equal to its string form.
impl PartialEq<&str> for VerifyCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
