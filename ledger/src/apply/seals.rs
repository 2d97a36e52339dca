//! E-seal records: register, revoke, stamp.

use super::context::{ACTIVE, AUTH_SEAL, Ctx, ROLE_ADMIN, Signer};
use super::{Res, no};
use crate::proto::{self, SealState, SubjectStatus};
use crate::record::Record;
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
    let state = SealState {
        status: ACTIVE,
        owner: s.owner.clone(),
        seal_public_key: s.seal_public_key.clone(),
        valid_from_ms: s.valid_from_ms,
        valid_until_ms: s.valid_until_ms,
        registered_at_height: h,
        ..Default::default()
    };
    cx.put(key, &state);
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
    _signers: &[Signer],
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
