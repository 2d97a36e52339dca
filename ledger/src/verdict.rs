//! The verifier's answer: for people and for machines (stable JSON).

use serde::Serialize;

use crate::verify::VerifyCode;

/// The outcome class. Its string form and the CLI exit codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictStatus {
    /// Genuine, anchored, active and within its validity window.
    Valid,
    /// Genuine, but revoked.
    Revoked,
    /// Genuine, but suspended (a national certificate's 暂扣): not to be
    /// relied on until lifted.
    Suspended,
    /// Genuine, but replaced by a newer version.
    Superseded,
    /// Genuine, but its validity window has ended.
    Expired,
    /// Genuine, but its validity window has not started.
    NotYetValid,
    /// Not proven: forged, damaged, or for another chain. `failed_step` says where.
    Invalid,
}

/// A step of the checklist (`docs/spec/bundle.md` §6) and its number (which
/// is what JSON carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "u8")]
pub enum Step {
    /// 0: the bundle's bytes decode.
    Decode = 0,
    /// 1: the validator-set chain from genesis.
    ValidatorSets = 1,
    /// 2: the commit certificates.
    CommitCertificate = 2,
    /// 3: the record's inclusion.
    Inclusion = 3,
    /// 4: the record's signatures and signer registration.
    Signatures = 4,
    /// 5: the subject's status.
    Status = 5,
    /// 6: validity windows.
    Validity = 6,
    /// 7: the file's digest.
    FileDigest = 7,
    /// 8: the display fields opened.
    Fields = 8,
}

impl From<Step> for u8 {
    fn from(s: Step) -> u8 {
        s as u8
    }
}

impl Step {
    /// The step number.
    pub fn number(self) -> u8 {
        self as u8
    }
}

/// A failed step: where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("step {} ({step:?}) {code}: {message}", *step as u8)]
pub struct VerifyError {
    /// The step that failed.
    pub step: Step,
    /// Stable reason code, e.g. `INCLUSION_PROOF`.
    pub code: VerifyCode,
    /// Details.
    pub message: String,
}

impl VerifyError {
    /// A failure at `step` with a stable `code` (`docs/spec/bundle.md` §6).
    pub fn new(step: Step, code: VerifyCode, message: impl Into<String>) -> Self {
        VerifyError {
            step,
            code,
            message: message.into(),
        }
    }
}

/// What was verified, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Subject {
    /// Record kind (`issue_certificate`, `stamp`, …).
    pub kind: String,
    /// Certificate `type/number`, seal id, request id…
    pub id: String,
    /// Issuing / owning organisation's credit code.
    pub issuer: String,
}

/// A display field proven against its commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProvenField {
    /// Its index among the record's field commitments.
    pub index: u32,
    /// Its name, e.g. 证照名称.
    pub name: String,
    /// Its value as the issuer committed it.
    pub value: String,
}

/// The verifier's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Outcome.
    pub status: VerdictStatus,
    /// The failure, when `status` is `invalid`.
    pub error: Option<VerifyError>,
    /// Record id (hex).
    pub record_id: Option<String>,
    /// What the record is about.
    pub subject: Option<Subject>,
    /// Height of the block that committed the record.
    pub anchored_height: Option<u64>,
    /// Consensus time of that block (ms).
    pub anchored_time_ms: Option<u64>,
    /// Height the status is proven at (equals `anchored_height` for a compact bundle).
    pub status_height: Option<u64>,
    /// Consensus time of that block (ms).
    pub status_time_ms: Option<u64>,
    /// `true` when the bundle carried fresh status evidence.
    pub status_proven: bool,
    /// Revocation reason (a `RevocationReason` name), when revoked.
    pub revocation_reason: Option<String>,
    /// Height of the revocation or supersession.
    pub changed_at_height: Option<u64>,
    /// Time of the revocation or supersession (ms).
    pub changed_at_ms: Option<u64>,
    /// The replacement's number, when superseded.
    pub superseded_by: Option<String>,
    /// Validity window of the subject (ms; 0 = open).
    pub valid_from_ms: Option<u64>,
    /// End of the validity window (ms; 0 = none).
    pub valid_until_ms: Option<u64>,
    /// Whether a file was checked against the record (step 7).
    pub file_checked: bool,
    /// A national-form certificate's status code (`01` 有效 … `99` 其他,
    /// `docs/spec/ecert.md` §4), as proven (or as the record sets it).
    pub status_code: Option<String>,
    /// A national-form certificate imported with the known non-standard
    /// check character (`docs/spec/ecert.md` §1.3).
    pub legacy_check: bool,
    /// Uses recorded against a national-form certificate, as proven.
    pub uses: Option<u32>,
    /// Display fields opened in the bundle, each proven against the
    /// record's commitment (step 8).
    pub fields: Vec<ProvenField>,
    /// `true` when the bundle's newest checkpoint is more than the trusting
    /// period after the newest one this verifier had confirmed: validators
    /// retired since then could have made it (bundle.md §6.1). Not an
    /// `invalid` verdict, but not to be relied on without a fresher checkpoint.
    pub unconfirmed_set: bool,
}

impl Verdict {
    /// An `invalid` verdict for a failure (also for callers that could not
    /// even read a bundle, such as a batch run meeting an unreadable file).
    pub fn invalid(e: VerifyError) -> Self {
        Verdict {
            error: Some(e),
            ..Verdict::empty(VerdictStatus::Invalid)
        }
    }

    /// A verdict with only its status set; the verifier fills in the rest.
    pub(crate) fn empty(status: VerdictStatus) -> Self {
        Verdict {
            status,
            error: None,
            record_id: None,
            subject: None,
            anchored_height: None,
            anchored_time_ms: None,
            status_height: None,
            status_time_ms: None,
            status_proven: false,
            revocation_reason: None,
            changed_at_height: None,
            changed_at_ms: None,
            superseded_by: None,
            valid_from_ms: None,
            valid_until_ms: None,
            file_checked: false,
            status_code: None,
            legacy_check: false,
            uses: None,
            fields: Vec::new(),
            unconfirmed_set: false,
        }
    }

    /// Judge the validity window (when the verdict has one) at `at_ms`: a
    /// valid verdict becomes `not_yet_valid` before the window and `expired`
    /// from its end on (an end of 0 means none). The verifier does this at the
    /// status block's time; clients again at their own clock.
    pub fn judge_window_at(&mut self, at_ms: u64) {
        if self.status != VerdictStatus::Valid {
            return;
        }
        if self.valid_from_ms.is_some_and(|f| at_ms < f) {
            self.status = VerdictStatus::NotYetValid;
        } else if self.valid_until_ms.is_some_and(|u| u != 0 && at_ms >= u) {
            self.status = VerdictStatus::Expired;
        }
    }

    /// Stable JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
