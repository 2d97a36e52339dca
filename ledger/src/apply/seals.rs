//! E-seal records: register, revoke, stamp.

use super::context::{ACTIVE, AUTH_SEAL, Ctx, ROLE_ADMIN, Signer};
use super::{Res, no};
use yinzheng_crypto::Suite;
use yinzheng_seal::{CertListEntry, TrustAnchors};

use crate::proto::{self, SealState, StampingState, SubjectStatus};
use crate::record::{Record, check_stamping};
use crate::rejection::RejectCode;
use crate::state::StateKey;

pub(super) fn register_seal(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    s: &proto::RegisterSeal,
) -> Res<()> {
    let h = cx.block.height;
    let key = StateKey::Seal(s.seal_id.clone());
    if cx.get::<SealState>(&key)?.is_some() {
        return no(
            RejectCode::AlreadyExists,
            format!("seal {} exists", s.seal_id),
        );
    }
    let owner = cx.org(&s.owner, "seal owner")?;
    let mut authorised = false;
    for signer in signers {
        if cx.has_grant(&signer.org, AUTH_SEAL, "", &owner.division)? {
            authorised = true;
        }
    }
    if !authorised {
        return no(
            RejectCode::Unauthorised,
            format!("no seal authority over {}", owner.division),
        );
    }
    let mut state = SealState {
        status: ACTIVE,
        owner: s.owner.clone(),
        seal_public_key: s.seal_public_key.clone(),
        valid_from_ms: s.valid_from_ms,
        valid_until_ms: s.valid_until_ms,
        registered_at_height: h,
        ..Default::default()
    };
    if !s.ses_seal.is_empty() {
        national_seal(&mut state, &s.ses_seal)?;
    }
    cx.put(key, &state);
    Ok(())
}

/// `docs/spec/seals.md` §6: a national seal is registered only if it
/// verifies: its structure, its maker's signature over it, and its maker's
/// certificate at the time it was made. The fields were matched to the seal
/// when the record was decoded.
fn national_seal(state: &mut SealState, der: &[u8]) -> Res<()> {
    let bad = |m: String| no(RejectCode::BadSeal, m);
    let seal = match yinzheng_seal::Seal::parse(der) {
        Ok(s) => s,
        Err(e) => return bad(format!("the seal does not parse: {e}")),
    };
    let (_, checks) = seal.verify(&TrustAnchors::none());
    if let Some(c) = checks.iter().find(|c| c.failed()) {
        return bad(format!("{:?}: {}", c.code, c.detail));
    }
    state.ses_seal_sm3 = Suite::Sm.hash(der).0.to_vec();
    state.maker_cert_sm3 = Suite::Sm.hash(seal.maker_cert).0.to_vec();
    state.signer_cert_sm3 = seal
        .property
        .cert_list
        .iter()
        .filter_map(|e| match e {
            CertListEntry::Cert(c) => Some(Suite::Sm.hash(c).0.to_vec()),
            CertListEntry::Digest { value, .. } if value.len() == 32 => Some(value.to_vec()),
            _ => None,
        })
        .collect();
    if state.signer_cert_sm3.is_empty() {
        return bad("the seal admits no signer certificate".into());
    }
    Ok(())
}

pub(super) fn revoke_seal(cx: &mut Ctx<'_>, signers: &[Signer], s: &proto::RevokeSeal) -> Res<()> {
    let h = cx.block.height;
    let key = StateKey::Seal(s.seal_id.clone());
    let Some(mut state) = cx.get::<SealState>(&key)? else {
        return no(RejectCode::NotFound, format!("no seal {}", s.seal_id));
    };
    if state.status != ACTIVE {
        return no(RejectCode::NotActive, "seal is not active");
    }
    let owner = cx.org(&state.owner, "seal owner")?;
    let mut authorised = false;
    for signer in signers {
        if cx.has_grant(&signer.org, AUTH_SEAL, "", &owner.division)?
            || (signer.role == ROLE_ADMIN && signer.org == state.owner)
        {
            authorised = true;
        }
    }
    if !authorised {
        return no(
            RejectCode::Unauthorised,
            "needs the seal authority or the owner's admin",
        );
    }
    state.status = SubjectStatus::Revoked as i32;
    state.reason = s.reason;
    state.changed_at_height = h;
    state.changed_at_ms = cx.block.time_ms;
    cx.put(key, &state);
    Ok(())
}

pub(super) fn stamp(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    s: &proto::Stamp,
    record: &Record,
) -> Res<()> {
    let Some(seal) = cx.get::<SealState>(&StateKey::Seal(s.seal_id.clone()))? else {
        return no(RejectCode::NotFound, format!("no seal {}", s.seal_id));
    };
    if seal.status != ACTIVE {
        return no(
            RejectCode::NotActive,
            format!("seal {} is not active", s.seal_id),
        );
    }
    if !s.ses_signature.is_empty() {
        return national_stamping(cx, signers, s, &seal);
    }
    // The seal key is not an organisation key, so the signer checks that every
    // other kind gets (key registered, org active) are made here instead: a
    // seal stamps only while its owner is an active organisation.
    cx.org(&seal.owner, "seal owner")?;
    let t = cx.block.time_ms;
    if t < seal.valid_from_ms || (seal.valid_until_ms != 0 && t >= seal.valid_until_ms) {
        return no(
            RejectCode::OutsideValidity,
            format!("seal {} is not valid at {t}", s.seal_id),
        );
    }
    // The registry holds the seal key without an ID: it signs under the default one.
    let by_seal = record.signers().len() == 1
        && record.signers()[0].public_key == seal.seal_public_key
        && record.signers()[0].distid == yinzheng_crypto::DEFAULT_DISTID;
    if !by_seal {
        return no(
            RejectCode::Unauthorised,
            "a stamp is signed by the seal's own key alone",
        );
    }
    Ok(())
}

/// `docs/spec/seals.md` §7: an anchored stamping, submitted by the seal's
/// owner, made with the registered seal by a signer it admits, whose
/// signature verifies over `TBS_Sign` as found, signed while the seal and the
/// signer's certificate were valid and not after the block; once.
fn national_stamping(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    s: &proto::Stamp,
    seal: &SealState,
) -> Res<()> {
    if seal.ses_seal_sm3.is_empty() {
        return no(
            RejectCode::InvalidField,
            format!("seal {} is not a national-format seal", s.seal_id),
        );
    }
    if signers.is_empty() || signers.iter().any(|x| x.org != seal.owner) {
        return no(
            RejectCode::Unauthorised,
            "a stamping is anchored by a key of the seal's owner",
        );
    }
    let (report, signed_at_ms) =
        check_stamping(seal, &s.ses_signature).or_else(|m| no(RejectCode::BadStamping, m))?;
    use yinzheng_seal::{CheckCode, Outcome};
    for code in [CheckCode::SealValidity, CheckCode::SignerCert] {
        if report.outcome(code) != Some(Outcome::Pass) {
            return no(
                RejectCode::OutsideValidity,
                format!(
                    "{code:?}: not valid at the signing time {}",
                    report.time_info.text
                ),
            );
        }
    }
    if signed_at_ms > cx.block.time_ms.saturating_add(cx.params.max_clock_skew_ms) {
        return no(
            RejectCode::FromTheFuture,
            format!("signed at {}, after the block", report.time_info.text),
        );
    }
    let key = StateKey::Stamping(Suite::Sm.hash(&s.ses_signature));
    if cx.get::<StampingState>(&key)?.is_some() {
        return no(
            RejectCode::AlreadyExists,
            "this stamping is already anchored",
        );
    }
    let state = StampingState {
        seal_id: s.seal_id.clone(),
        height: cx.block.height,
        signed_at_ms,
    };
    cx.put(key, &state);
    Ok(())
}
