//! National-form certificates (`docs/spec/ecert.md`): the type catalogue,
//! issue and re-issue by identifier, status codes, authorised use.

use super::context::{ACTIVE, AUTH_USE, Ctx, ROLE_ADMIN, Signer};
use super::{Res, no};
use crate::ecert::parse_ecert_id;
use crate::proto::{
    self, CertificateState, CertificateTypeState, EcertStatus, RevocationReason, SubjectStatus,
    UseAuthorisationState, UseState,
};
use crate::record::Record;
use crate::rejection::RejectCode;
use crate::state::StateKey;

const SUSPENDED: i32 = SubjectStatus::Suspended as i32;

pub(super) fn register_type(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    t: &proto::RegisterCertificateType,
) -> Res<()> {
    let definer = &t.type_code[..18];
    cx.org(definer, "defining organisation")?;
    let admin = signers
        .iter()
        .any(|s| s.role == ROLE_ADMIN && s.org == definer);
    if !admin && !cx.committee_approves(signers) {
        return no(
            RejectCode::Unauthorised,
            format!(
                "a type under {definer} is registered by an admin key of {definer}, or the committee"
            ),
        );
    }
    let key = StateKey::CertType(t.type_code.clone());
    if cx.get::<CertificateTypeState>(&key)?.is_some() {
        return no(
            RejectCode::AlreadyExists,
            format!("type {} is already registered", t.type_code),
        );
    }
    let state = CertificateTypeState {
        name: t.name.clone(),
        definer: definer.to_owned(),
        required_elements: t.required_elements.clone(),
        holder_category: t.holder_category.clone(),
        item_code: t.item_code.clone(),
        height: cx.block.height,
    };
    cx.put(key, &state);
    Ok(())
}

/// The checks of a national issue; the key to write under.
fn check_issue(cx: &Ctx<'_>, signers: &[Signer], c: &proto::IssueCertificate) -> Res<StateKey> {
    let key = StateKey::Ecert(c.identifier.clone());
    if cx.get::<CertificateState>(&key)?.is_some() {
        return no(
            RejectCode::AlreadyExists,
            format!("certificate {} already exists", c.identifier),
        );
    }
    cx.org(&c.issuer, "issuer")?;
    cx.require_member(signers, &c.issuer)?;
    if cx
        .get::<CertificateTypeState>(&StateKey::CertType(c.type_code.clone()))?
        .is_none()
    {
        return no(
            RejectCode::NotFound,
            format!("certificate type {} is not registered", c.type_code),
        );
    }
    cx.require_issue_grant(c)?;
    Ok(key)
}

fn new_state(cx: &Ctx<'_>, c: &proto::IssueCertificate, record: &Record) -> CertificateState {
    let legacy = parse_ecert_id(&c.identifier).is_ok_and(|p| !p.check_is_standard());
    let mut holders = vec![c.holder_commitment.clone()];
    holders.extend(c.co_holder_commitments.iter().cloned());
    CertificateState {
        status: ACTIVE,
        issuer: c.issuer.clone(),
        record_id: record.id().0.to_vec(),
        issued_at_height: cx.block.height,
        valid_from_ms: c.valid_from_ms,
        valid_until_ms: c.valid_until_ms,
        status_code: EcertStatus::Valid as i32,
        legacy_check: legacy,
        holder_commitments: holders,
        type_code: c.type_code.clone(),
        region: c.region.clone(),
        ..Default::default()
    }
}

pub(super) fn issue(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    c: &proto::IssueCertificate,
    record: &Record,
) -> Res<()> {
    // A first issue is version 001; later versions are re-issues
    // (SupersedeCertificate). An imported certificate keeps its version.
    let version = parse_ecert_id(&c.identifier).map_or(0, |p| p.version);
    if version != 1 && !c.imported {
        return no(
            RejectCode::BadIdentifier,
            format!(
                "a new certificate is version 001, not {version:03}; re-issue with supersede_certificate"
            ),
        );
    }
    let key = check_issue(cx, signers, c)?;
    let state = new_state(cx, c, record);
    cx.put(key, &state);
    Ok(())
}

fn get_cert(cx: &Ctx<'_>, identifier: &str) -> Res<(StateKey, CertificateState)> {
    let key = StateKey::Ecert(identifier.to_owned());
    match cx.get::<CertificateState>(&key)? {
        Some(s) => Ok((key, s)),
        None => no(RejectCode::NotFound, format!("no certificate {identifier}")),
    }
}

pub(super) fn supersede(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    c: &proto::SupersedeCertificate,
    new: &proto::IssueCertificate,
    record: &Record,
) -> Res<()> {
    let (old_key, mut old) = get_cert(cx, &c.old_identifier)?;
    if old.status != ACTIVE {
        return no(
            RejectCode::NotActive,
            "certificate to re-issue is not active",
        );
    }
    cx.require_member(signers, &old.issuer)?;
    if new.imported {
        return no(
            RejectCode::BadIdentifier,
            "a re-issued certificate is new: its identifier has the standard check",
        );
    }
    if let (Ok(o), Ok(n)) = (
        parse_ecert_id(&c.old_identifier),
        parse_ecert_id(&new.identifier),
    ) && o.issuer == n.issuer
        && o.serial == n.serial
        && n.version <= o.version
    {
        return no(
            RejectCode::BadIdentifier,
            format!(
                "a re-issue under the same serial has a higher version than {:03}",
                o.version
            ),
        );
    }
    let new_key = check_issue(cx, signers, new)?;
    old.status = SubjectStatus::Superseded as i32;
    old.superseded_by = new.identifier.clone();
    old.changed_at_height = cx.block.height;
    old.changed_at_ms = cx.block.time_ms;
    let state = new_state(cx, new, record);
    cx.put(old_key, &old);
    cx.put(new_key, &state);
    Ok(())
}

pub(super) fn set_status(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    s: &proto::SetCertificateStatus,
) -> Res<()> {
    let (key, mut state) = get_cert(cx, &s.identifier)?;
    cx.require_member(signers, &state.issuer)
        .or_else(|_| cx.require_admin_over(signers, &state.issuer, false))?;
    let to = EcertStatus::try_from(s.status).unwrap_or(EcertStatus::Unspecified);
    let (status, reason) = match (state.status, to) {
        (ACTIVE | SUSPENDED, EcertStatus::Unspecified) => {
            return no(RejectCode::InvalidField, "no status");
        }
        (SUSPENDED, EcertStatus::Valid) => (ACTIVE, RevocationReason::Unspecified),
        (ACTIVE, EcertStatus::Valid) => {
            return no(RejectCode::OutOfOrder, "certificate is not suspended");
        }
        (ACTIVE, EcertStatus::Suspended) => (SUSPENDED, RevocationReason::Unspecified),
        (SUSPENDED, EcertStatus::Suspended) => {
            return no(RejectCode::OutOfOrder, "certificate is already suspended");
        }
        (ACTIVE | SUSPENDED, end) => (SubjectStatus::Revoked as i32, end_reason(end)),
        _ => {
            return no(
                RejectCode::NotActive,
                format!("certificate {} has ended", s.identifier),
            );
        }
    };
    state.status = status;
    state.status_code = to as i32;
    state.reason = reason as i32;
    state.changed_at_height = cx.block.height;
    state.changed_at_ms = cx.block.time_ms;
    cx.put(key, &state);
    Ok(())
}

/// The revocation reason each ending status maps to (`docs/spec/ecert.md` §4).
fn end_reason(s: EcertStatus) -> RevocationReason {
    match s {
        EcertStatus::Revoked => RevocationReason::IssuedInError,
        EcertStatus::Withdrawn => RevocationReason::LegalDecision,
        EcertStatus::Cancelled | EcertStatus::Invalidated | EcertStatus::TransferredOut => {
            RevocationReason::Ceased
        }
        _ => RevocationReason::Unspecified,
    }
}

pub(super) fn authorise(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    a: &proto::AuthoriseUse,
    record: &Record,
) -> Res<()> {
    let (_, cert) = get_cert(cx, &a.identifier)?;
    if cert.status != ACTIVE {
        return no(RejectCode::NotActive, "certificate is not active");
    }
    if !cert.holder_commitments.contains(&a.holder_commitment) {
        return no(
            RejectCode::Unauthorised,
            "the holder commitment is not one of the certificate's holders",
        );
    }
    cx.org(&a.user_org, "user organisation")?;
    let mut recorder = None;
    for s in signers {
        if cx.has_grant(&s.org, AUTH_USE, &cert.type_code, &cert.region)?
            || cx.has_grant(&s.org, AUTH_USE, "", &cert.region)?
        {
            recorder = Some(s.org.clone());
            break;
        }
    }
    let Some(recorded_by) = recorder else {
        return no(
            RejectCode::Unauthorised,
            format!(
                "needs a key of an organisation granted use authorisation for {} in {}",
                cert.type_code, cert.region
            ),
        );
    };
    if a.not_after_ms != 0 && a.not_after_ms <= cx.block.time_ms {
        return no(
            RejectCode::AuthorisationExpired,
            "the authorisation ends before it is recorded",
        );
    }
    let state = UseAuthorisationState {
        identifier: a.identifier.clone(),
        user_org: a.user_org.clone(),
        holder_commitment: a.holder_commitment.clone(),
        not_after_ms: a.not_after_ms,
        max_uses: a.max_uses,
        used: 0,
        height: cx.block.height,
        recorded_by,
    };
    cx.put(StateKey::UseAuthorisation(record.id()), &state);
    Ok(())
}

pub(super) fn use_certificate(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    u: &proto::UseCertificate,
    record: &Record,
) -> Res<()> {
    let Ok(auth_id) = <[u8; 32]>::try_from(u.authorisation.as_slice()) else {
        return no(RejectCode::InvalidField, "authorisation is not a record id");
    };
    let auth_key = StateKey::UseAuthorisation(yinzheng_crypto::Digest(auth_id));
    let Some(mut auth) = cx.get::<UseAuthorisationState>(&auth_key)? else {
        return no(RejectCode::NotFound, "no such authorisation");
    };
    if auth.identifier != u.identifier {
        return no(
            RejectCode::Unauthorised,
            "the authorisation is for another certificate",
        );
    }
    cx.require_member(signers, &auth.user_org)?;
    let t = cx.block.time_ms;
    if auth.not_after_ms != 0 && t >= auth.not_after_ms {
        return no(
            RejectCode::AuthorisationExpired,
            format!("the authorisation ended at {}", auth.not_after_ms),
        );
    }
    if auth.max_uses != 0 && auth.used >= auth.max_uses {
        return no(
            RejectCode::AuthorisationUsedUp,
            format!("the authorisation's {} uses are spent", auth.max_uses),
        );
    }
    let (cert_key, mut cert) = get_cert(cx, &u.identifier)?;
    if cert.status != ACTIVE {
        return no(RejectCode::NotActive, "certificate is not active");
    }
    if t < cert.valid_from_ms || (cert.valid_until_ms != 0 && t >= cert.valid_until_ms) {
        return no(
            RejectCode::OutsideValidity,
            "certificate is outside its validity window",
        );
    }
    auth.used += 1;
    cert.uses += 1;
    let use_state = UseState {
        record_id: record.id().0.to_vec(),
        authorisation: u.authorisation.clone(),
        user_org: auth.user_org.clone(),
        height: cx.block.height,
        time_ms: t,
    };
    let n = cert.uses;
    cx.put(auth_key, &auth);
    cx.put(cert_key, &cert);
    cx.put(
        StateKey::Use {
            identifier: u.identifier.clone(),
            n,
        },
        &use_state,
    );
    Ok(())
}
