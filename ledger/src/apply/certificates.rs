//! E-certificate records: issue, revoke, supersede.

use super::context::{ACTIVE, Ctx, Signer};
use super::{Res, no};
use crate::proto::{self, CertificateState, SubjectStatus};
use crate::record::Record;
use crate::rejection::RejectCode;
use crate::state::StateKey;

pub(super) fn issue_certificate(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    c: &proto::IssueCertificate,
    record: &Record,
) -> Res<()> {
    let key = cx.check_issue(signers, c)?;
    let state = cx.new_certificate(c, record);
    cx.put(key, &state);
    Ok(())
}

pub(super) fn revoke_certificate(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    c: &proto::RevokeCertificate,
) -> Res<()> {
    let h = cx.block.height;
    let key = StateKey::Certificate {
        issuer: c.issuer.clone(),
        type_code: c.type_code.clone(),
        cert_no: c.cert_no.clone(),
    };
    let Some(mut state) = cx.get::<CertificateState>(&key)? else {
        return no(
            RejectCode::NotFound,
            format!(
                "no certificate {} {} of {}",
                c.type_code, c.cert_no, c.issuer
            ),
        );
    };
    if state.status != ACTIVE {
        return no(RejectCode::NotActive, "certificate is not active");
    }
    cx.require_member(signers, &state.issuer)
        .or_else(|_| cx.require_admin_over(signers, &state.issuer, false))?;
    state.status = SubjectStatus::Revoked as i32;
    state.reason = c.reason;
    state.changed_at_height = h;
    state.changed_at_ms = cx.block.time_ms;
    cx.put(key, &state);
    Ok(())
}

pub(super) fn supersede_certificate(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    c: &proto::SupersedeCertificate,
    record: &Record,
) -> Res<()> {
    let h = cx.block.height;
    let Some(new) = &c.replacement else {
        return no(RejectCode::InvalidField, "no replacement");
    };
    // Only the original issuer supersedes, so the old number is the new issuer's.
    let old_key = StateKey::Certificate {
        issuer: new.issuer.clone(),
        type_code: c.type_code.clone(),
        cert_no: c.old_cert_no.clone(),
    };
    let Some(mut old) = cx.get::<CertificateState>(&old_key)? else {
        return no(
            RejectCode::NotFound,
            format!(
                "no certificate {} {} of {}",
                c.type_code, c.old_cert_no, new.issuer
            ),
        );
    };
    if old.status != ACTIVE {
        return no(
            RejectCode::NotActive,
            "certificate to supersede is not active",
        );
    }
    let new_key = cx.check_issue(signers, new)?;
    old.status = SubjectStatus::Superseded as i32;
    old.superseded_by = new.cert_no.clone();
    old.changed_at_height = h;
    old.changed_at_ms = cx.block.time_ms;
    let state = cx.new_certificate(new, record);
    cx.put(old_key, &old);
    cx.put(new_key, &state);
    Ok(())
}
