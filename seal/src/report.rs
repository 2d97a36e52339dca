//! What a verification found: one line per check, each with a stable code
//! (`docs/spec/seals.md` §5).

use serde::{Serialize, Serializer};

use crate::cert::CertInfo;
use crate::seal::SealVersion;
use crate::sigvalue::SigEncoding;
use crate::time::SealTime;

/// Which check a line reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum CheckCode {
    /// The seal or signature structure parses (GB/T 38540 §6.1, §7.1).
    Format,
    /// The seal maker's signature over the seal (§6.3).
    MakerSignature,
    /// The maker's certificate was valid when the seal was made.
    MakerCert,
    /// The signing time lies inside the seal's validity window.
    SealValidity,
    /// The signer's certificate is one the seal admits (`certList`).
    SignerInCertList,
    /// The signer's certificate was valid at the signing time.
    SignerCert,
    /// The signer's signature over `TBS_Sign` as found.
    Signature,
    /// `dataHash` = SM3 of `Signature.xml` as stored.
    DataHash,
    /// One protected file's SM3 `CheckValue`.
    Reference,
    /// `Seal.esl` is byte-identical to the seal inside the signature.
    SealFile,
    /// The signature's timestamp.
    Timestamp,
    /// The maker's or signer's certificate chain to a configured anchor.
    CertChain,
    /// A GB/T 35275 signature (`Type="Sign"`): not an e-seal.
    NotASeal,
}

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Holds.
    Pass,
    /// Does not hold.
    Fail,
    /// Does not hold for a reason that does not make the document suspect
    /// (a later signature rewrote `Signatures.xml`).
    Warning,
    /// Could not be checked (no trust anchors, no time, unsupported).
    NotChecked,
}

/// Why a check did not pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum Reason {
    /// The bytes do not parse as the structure named.
    Malformed,
    /// A file the document names is not in the package.
    MissingFile,
    /// Not SM2 with SM3 (1.2.156.10197.1.501).
    UnsupportedAlgorithm,
    /// The certificate's key is not an SM2 key.
    UnsupportedKey,
    /// The certificate does not parse.
    CertUnparseable,
    /// The signature value is a DER structure missing its last bytes.
    SignatureTruncated,
    /// The signature value is neither DER nor 64 raw bytes.
    SignatureEncoding,
    /// The signature does not verify.
    SignatureMismatch,
    /// Before the start of a validity window.
    NotYetValid,
    /// After the end of a validity window.
    Expired,
    /// A time could not be read.
    TimeUnreadable,
    /// The signer's certificate is not in the seal's list.
    NotListed,
    /// A hash differs.
    HashMismatch,
    /// The files differ.
    Differs,
    /// The check method is not SM3.
    UnsupportedMethod,
    /// The signature protects no file.
    NoReferences,
    /// `Signatures.xml` was rewritten by a later signature (expected).
    ChangedByLaterSignature,
    /// No trust anchors were configured.
    NoTrustAnchors,
    /// No chain to a configured anchor.
    Untrusted,
    /// Timestamp tokens are not verified by this version.
    TimestampNotVerified,
    /// A GB/T 35275 signature, outside this verifier's scope.
    OtherSignatureType,
}

/// One line of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The check.
    pub code: CheckCode,
    /// Its outcome.
    pub outcome: Outcome,
    /// Why it did not pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// What it was about when a check repeats (a file, "maker", "signer").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// A sentence for people.
    pub detail: String,
}

impl Check {
    pub(crate) fn pass(code: CheckCode, detail: impl Into<String>) -> Check {
        Check {
            code,
            outcome: Outcome::Pass,
            reason: None,
            subject: None,
            detail: detail.into(),
        }
    }

    pub(crate) fn fail(code: CheckCode, reason: Reason, detail: impl Into<String>) -> Check {
        Check {
            code,
            outcome: Outcome::Fail,
            reason: Some(reason),
            subject: None,
            detail: detail.into(),
        }
    }

    pub(crate) fn not_checked(code: CheckCode, reason: Reason, detail: impl Into<String>) -> Check {
        Check {
            code,
            outcome: Outcome::NotChecked,
            reason: Some(reason),
            subject: None,
            detail: detail.into(),
        }
    }

    pub(crate) fn about(mut self, subject: impl Into<String>) -> Check {
        self.subject = Some(subject.into());
        self
    }

    /// Whether the line counts against the object checked.
    pub fn failed(&self) -> bool {
        self.outcome == Outcome::Fail
    }
}

/// The seal as a report names it.
#[derive(Debug, Clone, Serialize)]
pub struct SealSummary {
    /// Layout.
    pub version: SealVersion,
    /// `esID`.
    pub es_id: String,
    /// Name (NUL padding removed).
    pub name: String,
    /// Seal type.
    pub seal_type: i64,
    /// Vendor id.
    pub vid: String,
    /// Made at.
    pub created: SealTime,
    /// Valid from.
    pub valid_start: SealTime,
    /// Valid until.
    pub valid_end: SealTime,
    /// SM3 of the `SESeal` DER, hex.
    pub sm3: String,
    /// The maker's certificate, when it parses.
    pub maker: Option<CertInfo>,
}

/// The verification of one `SES_Signature` (or of a bare seal).
#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    /// Layout of the signature.
    pub version: SealVersion,
    /// The seal it was made with.
    pub seal: SealSummary,
    /// The signer's certificate, when it parses.
    pub signer: Option<CertInfo>,
    /// `timeInfo`.
    pub time_info: SealTime,
    /// `dataHash`, hex.
    pub data_hash: String,
    /// `propertyInfo`.
    pub property_info: String,
    /// How the signature value was encoded, when it could be read.
    pub signature_encoding: Option<SigEncoding>,
    /// SM3 of the `SES_Signature` DER, hex (what the ledger anchors).
    pub sm3: String,
    /// Every check, in the order of `docs/spec/seals.md` §5.
    pub checks: Vec<Check>,
}

impl SignatureReport {
    /// No check failed (checks not made are not failures; see `checks`).
    pub fn genuine(&self) -> bool {
        !self.checks.iter().any(Check::failed)
    }

    /// The outcome of the first line with `code`.
    pub fn outcome(&self, code: CheckCode) -> Option<Outcome> {
        self.checks
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.outcome)
    }
}

pub(crate) fn hex_bytes<S: Serializer>(b: &&[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(b))
}
