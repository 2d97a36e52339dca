//! Steps 5–7 of the checklist, per record kind: the subject's status, its
//! validity window, the file. Every kind is named, so a new kind does not
//! compile until it is decided here.

use prost::Message;
use yinzheng_crypto::Digest;

use super::steps::{Parts, StatusView};
use super::{BundleVerifier, R, VerifyCode, fail};
use crate::chain::StatusRole;
use crate::ecert::{parse_ecert_id, status_code_text};
use crate::proto::record_body::Kind;
use crate::proto::{
    CertificateState, EcertStatus, IssueCertificate, RevocationReason, SealState, ShareState,
    SubjectStatus,
};
use crate::record::Record;
use crate::state::StateKey;
use crate::subject::subject_key;
use crate::verdict::{Step, Subject, Verdict, VerdictStatus, VerifyError};

/// What steps 5–7 judge against.
struct Context {
    /// The record's block: height and time.
    anchor: (u64, u64),
    /// The status checkpoint's time (the anchor's for a compact bundle).
    status_time: u64,
    /// The proven subject value (`None`: absent, or no status evidence).
    subject: Option<Vec<u8>>,
    /// The digest of the file given, if any.
    file: Option<Digest>,
}

impl BundleVerifier {
    pub(super) fn judge(
        &self,
        record: &Record,
        anchor: &Parts<'_>,
        status_cp: Option<&Parts<'_>>,
        status: Option<&StatusView<'_>>,
        file: Option<Digest>,
    ) -> R<Verdict> {
        let (sh, st) = status_cp.map_or((anchor.header.height, anchor.header.time_ms), |s| {
            (s.header.height, s.header.time_ms)
        });
        let mut v = Verdict::empty(VerdictStatus::Valid);
        v.record_id = Some(record.id().to_hex());
        v.anchored_height = Some(anchor.header.height);
        v.anchored_time_ms = Some(anchor.header.time_ms);
        v.status_height = Some(sh);
        v.status_time_ms = Some(st);
        v.status_proven = status.is_some();
        let subject = match (status, subject_key(record)) {
            (Some(s), Some(key)) => self.proven(Step::Status, s, StatusRole::Subject, &key)?,
            _ => None,
        };
        let cx = Context {
            anchor: (anchor.header.height, anchor.header.time_ms),
            status_time: st,
            subject,
            file,
        };
        let kind = record.kind().name().to_owned();
        let Some(payload) = record.payload() else {
            return fail(
                Step::Signatures,
                VerifyCode::Malformed,
                "record has no kind",
            );
        };
        match payload {
            Kind::IssueCertificate(c) => certificate(&mut v, record, c, &cx, kind)?,
            Kind::SupersedeCertificate(s) => {
                let Some(c) = s.replacement.as_ref() else {
                    return fail(
                        Step::Status,
                        VerifyCode::Malformed,
                        "supersede without replacement",
                    );
                };
                certificate(&mut v, record, c, &cx, kind)?;
            }
            Kind::SetCertificateStatus(s) => {
                // The record proves the status it sets, from its block on.
                let code = EcertStatus::try_from(s.status).unwrap_or(EcertStatus::Unspecified);
                v.status = match code {
                    EcertStatus::Valid => VerdictStatus::Valid,
                    EcertStatus::Suspended => VerdictStatus::Suspended,
                    _ => VerdictStatus::Revoked,
                };
                v.status_code = Some(status_code_text(code).to_owned());
                (v.changed_at_height, v.changed_at_ms) = (Some(cx.anchor.0), Some(cx.anchor.1));
                v.subject = Some(Subject {
                    kind,
                    id: s.identifier.clone(),
                    issuer: parse_ecert_id(&s.identifier)
                        .map(|p| p.issuer)
                        .unwrap_or_default(),
                });
                no_file(&cx)?;
            }
            Kind::RevokeCertificate(c) => {
                // A revocation record proves the certificate revoked from its block on.
                v.status = VerdictStatus::Revoked;
                v.revocation_reason = Some(reason_name(c.reason));
                (v.changed_at_height, v.changed_at_ms) = (Some(cx.anchor.0), Some(cx.anchor.1));
                v.subject = Some(Subject {
                    kind,
                    id: format!("{}/{}", c.type_code, c.cert_no),
                    issuer: c.issuer.clone(),
                });
                no_file(&cx)?;
            }
            Kind::Stamp(s) => {
                let owner = match &cx.subject {
                    Some(val) => stamp_seal(&mut v, record, val, cx.anchor.1)?,
                    None => String::new(),
                };
                v.subject = Some(Subject {
                    kind,
                    id: s.seal_id.clone(),
                    issuer: owner,
                });
                check_file(&mut v, &cx, &s.document_digest)?;
            }
            Kind::RegisterSeal(s) => {
                if let Some(val) = &cx.subject {
                    let seal: SealState = decode(val)?;
                    mark_status(
                        &mut v,
                        seal.status,
                        seal.reason,
                        seal.changed_at_height,
                        seal.changed_at_ms,
                    );
                }
                window(&mut v, s.valid_from_ms, s.valid_until_ms, cx.status_time);
                v.subject = Some(Subject {
                    kind,
                    id: s.seal_id.clone(),
                    issuer: s.owner.clone(),
                });
                no_file(&cx)?;
            }
            Kind::ShareDelivery(d) => {
                let provider = match &cx.subject {
                    Some(val) => decode::<ShareState>(val)?.provider,
                    None => String::new(),
                };
                v.subject = Some(Subject {
                    kind,
                    id: d.request_id.clone(),
                    issuer: provider,
                });
                check_file(&mut v, &cx, &d.payload_digest)?;
            }
            // Kinds whose bundle proves the record committed, with no
            // status of their own to report and no file.
            Kind::RegisterOrg(_)
            | Kind::UpdateOrg(_)
            | Kind::RegisterKey(_)
            | Kind::RevokeKey(_)
            | Kind::Grant(_)
            | Kind::RevokeGrant(_)
            | Kind::ChangeValidators(_)
            | Kind::RegisterPeer(_)
            | Kind::RemovePeer(_)
            | Kind::RevokeSeal(_)
            | Kind::ShareRequest(_)
            | Kind::ShareDecision(_)
            | Kind::ShareReceipt(_)
            | Kind::RegisterCertificateType(_)
            | Kind::AuthoriseUse(_)
            | Kind::UseCertificate(_) => {
                let id = match subject_key(record) {
                    Some(
                        StateKey::Share(id)
                        | StateKey::Org(id)
                        | StateKey::Seal(id)
                        | StateKey::CertType(id),
                    ) => id,
                    Some(StateKey::UseAuthorisation(_)) | Some(StateKey::Ecert(_)) => match payload
                    {
                        Kind::AuthoriseUse(a) => a.identifier.clone(),
                        Kind::UseCertificate(u) => u.identifier.clone(),
                        _ => String::new(),
                    },
                    Some(
                        StateKey::Key(_)
                        | StateKey::Grant { .. }
                        | StateKey::Validators
                        | StateKey::Certificate { .. }
                        | StateKey::Record(_)
                        | StateKey::Stamping(_)
                        | StateKey::Use { .. }
                        | StateKey::Peer(_),
                    )
                    | None => String::new(),
                };
                v.subject = Some(Subject {
                    kind,
                    id,
                    issuer: String::new(),
                });
                no_file(&cx)?;
            }
        }
        Ok(v)
    }
}

/// Steps 5–7 for an issued certificate (directly or as a replacement).
fn certificate(
    v: &mut Verdict,
    record: &Record,
    c: &IssueCertificate,
    cx: &Context,
    kind: String,
) -> R<()> {
    if let Some(val) = &cx.subject {
        let state: CertificateState = decode(val)?;
        if state.record_id != record.id().0 {
            return fail(
                Step::Status,
                VerifyCode::StatusMismatch,
                "the status entry belongs to another record",
            );
        }
        mark_status(
            v,
            state.status,
            state.reason,
            state.changed_at_height,
            state.changed_at_ms,
        );
        if state.status == SubjectStatus::Superseded as i32 {
            v.superseded_by = Some(state.superseded_by);
        }
        if !c.identifier.is_empty() {
            let code = EcertStatus::try_from(state.status_code).unwrap_or_default();
            v.status_code = Some(status_code_text(code).to_owned());
            v.uses = Some(state.uses);
        }
    } else if !c.identifier.is_empty() {
        // A compact bundle: the status as of issuance.
        v.status_code = Some(status_code_text(EcertStatus::Valid).to_owned());
    }
    v.legacy_check = !c.identifier.is_empty()
        && parse_ecert_id(&c.identifier).is_ok_and(|p| !p.check_is_standard());
    window(v, c.valid_from_ms, c.valid_until_ms, cx.status_time);
    let id = if c.identifier.is_empty() {
        format!("{}/{}", c.type_code, c.cert_no)
    } else {
        c.identifier.clone()
    };
    v.subject = Some(Subject {
        kind,
        id,
        issuer: c.issuer.clone(),
    });
    check_file(v, cx, &c.file_digest)
}

/// Steps 4–6 for a stamp with its seal proven: signed by the seal's key,
/// within the seal's window when stamped; a later revocation is reported.
/// Returns the seal's owner.
fn stamp_seal(v: &mut Verdict, record: &Record, value: &[u8], stamped_at: u64) -> R<String> {
    let seal: SealState = decode(value)?;
    let national = match record.payload() {
        Some(Kind::Stamp(s)) if !s.ses_signature.is_empty() => Some(&s.ses_signature),
        _ => None,
    };
    // A national stamping is checked against the registered seal here, as a
    // validator did (seals.md §7); its time is the signature's timeInfo.
    let stamped_at = match national {
        Some(ses) => national_stamping(&seal, ses)?,
        None if record.signers().first().map(|x| &x.public_key) != Some(&seal.seal_public_key) => {
            return fail(
                Step::Signatures,
                VerifyCode::Unauthorised,
                "the stamp is not signed by the seal's key",
            );
        }
        None => stamped_at,
    };
    if stamped_at < seal.valid_from_ms
        || (seal.valid_until_ms != 0 && stamped_at >= seal.valid_until_ms)
    {
        return fail(
            Step::Validity,
            VerifyCode::OutsideValidity,
            "the seal was not valid when stamped",
        );
    }
    v.valid_from_ms = Some(seal.valid_from_ms);
    v.valid_until_ms = Some(seal.valid_until_ms);
    if seal.status == SubjectStatus::Revoked as i32 {
        // Stamped while active (execution checked it); revoked since.
        v.revocation_reason = Some(reason_name(seal.reason));
        v.changed_at_height = Some(seal.changed_at_height);
        v.changed_at_ms = Some(seal.changed_at_ms);
    }
    Ok(seal.owner)
}

fn decode<M: Message + Default>(value: &[u8]) -> R<M> {
    M::decode(value)
        .map_err(|e| VerifyError::new(Step::Status, VerifyCode::Malformed, e.to_string()))
}

/// Step 7 for a kind that certifies a file.
fn check_file(v: &mut Verdict, cx: &Context, want: &[u8]) -> R<()> {
    if let Some(d) = cx.file {
        if d.0 != want {
            return fail(
                Step::FileDigest,
                VerifyCode::FileMismatch,
                "the file is not the one this record certifies",
            );
        }
        v.file_checked = true;
    }
    Ok(())
}

/// Step 7 for a kind that certifies no file: a file given is an error, not
/// silently left unchecked.
fn no_file(cx: &Context) -> R<()> {
    match cx.file {
        Some(_) => fail(
            Step::FileDigest,
            VerifyCode::NoFileDigest,
            "this kind of record certifies no file",
        ),
        None => Ok(()),
    }
}

/// Record a proven revocation or supersession (any other status leaves the
/// verdict as it is).
fn mark_status(v: &mut Verdict, status: i32, reason: i32, height: u64, time_ms: u64) {
    if status == SubjectStatus::Revoked as i32 {
        v.status = VerdictStatus::Revoked;
        v.revocation_reason = Some(reason_name(reason));
    } else if status == SubjectStatus::Superseded as i32 {
        v.status = VerdictStatus::Superseded;
    } else if status == SubjectStatus::Suspended as i32 {
        v.status = VerdictStatus::Suspended;
    } else {
        return;
    }
    v.changed_at_height = Some(height);
    v.changed_at_ms = Some(time_ms);
}

/// Step 6: the subject's window, judged at the status time.
fn window(v: &mut Verdict, from: u64, until: u64, at: u64) {
    v.valid_from_ms = Some(from);
    v.valid_until_ms = Some(until);
    v.judge_window_at(at);
}

fn reason_name(r: i32) -> String {
    RevocationReason::try_from(r)
        .map(|x| {
            x.as_str_name()
                .trim_start_matches("REVOCATION_REASON_")
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|_| format!("code_{r}"))
}

/// `docs/spec/seals.md` §7 again, offline: the stamping was made with the
/// registered seal by a signer it admits, and its signature verifies. Returns
/// the signing time (ms).
fn national_stamping(seal: &SealState, ses: &[u8]) -> R<u64> {
    if seal.ses_seal_sm3.is_empty() {
        return fail(
            Step::Signatures,
            VerifyCode::Unauthorised,
            "a national stamping of a seal that is not national",
        );
    }
    crate::record::check_stamping(seal, ses)
        .map(|(_, signed_at_ms)| signed_at_ms)
        .or_else(|m| fail(Step::Signatures, VerifyCode::Unauthorised, m))
}
