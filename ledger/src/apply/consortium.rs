//! Consortium records: organisations, keys, grants, validator sets (`docs/spec/records.md` §3).

use super::context::{AUTH_CERT, Ctx, ROLE_ADMIN, Signer};
use super::{Res, no};
use crate::codes::{division_level, region_covers};
use crate::ecert::check_type_code;
use crate::proto::{self, CertificateTypeState, GrantState, KeyState, OrgState, ValidatorSetState};
use crate::rejection::RejectCode;
use crate::state::StateKey;

pub(super) fn register_org(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    o: &proto::RegisterOrg,
) -> Res<()> {
    let h = cx.block.height;
    let key = StateKey::Org(o.credit_code.clone());
    if cx.get::<OrgState>(&key)?.is_some() {
        return no(
            RejectCode::AlreadyExists,
            format!("org {} exists", o.credit_code),
        );
    }
    let parent = cx.org(&o.parent, "parent")?;
    if o.level != parent.level + 1 {
        return no(
            RejectCode::InvalidField,
            "an organisation sits one level below its parent",
        );
    }
    if division_level(&o.division) != o.level || !region_covers(&parent.division, &o.division) {
        return no(
            RejectCode::InvalidField,
            format!(
                "division {} does not fit level {} under {}",
                o.division, o.level, parent.division
            ),
        );
    }
    cx.require_admin_over(signers, &o.parent, true)?;
    let state = OrgState {
        name: o.name.clone(),
        level: o.level,
        division: o.division.clone(),
        parent: o.parent.clone(),
        active: true,
        height: h,
    };
    cx.put(key, &state);
    Ok(())
}

pub(super) fn update_org(cx: &mut Ctx<'_>, signers: &[Signer], o: &proto::UpdateOrg) -> Res<()> {
    let h = cx.block.height;
    let key = StateKey::Org(o.credit_code.clone());
    let Some(mut state) = cx.get::<OrgState>(&key)? else {
        return no(
            RejectCode::NotFound,
            format!("organisation {} is not registered", o.credit_code),
        );
    };
    if o.deactivate && o.reactivate {
        return no(
            RejectCode::InvalidField,
            "an update deactivates or reactivates, not both",
        );
    }
    // A deactivated organisation changes only by being reactivated, by the
    // same authority that may deactivate it (records.md §4.1).
    if !state.active && !o.reactivate {
        return no(
            RejectCode::NotActive,
            format!("organisation {} is deactivated", o.credit_code),
        );
    }
    if state.active && o.reactivate {
        return no(
            RejectCode::AlreadyExists,
            format!("organisation {} is already active", o.credit_code),
        );
    }
    cx.require_admin_over(signers, &o.credit_code, false)?;
    if !o.name.is_empty() {
        state.name = o.name.clone();
    }
    state.active = !o.deactivate;
    state.height = h;
    cx.put(key, &state);
    Ok(())
}

pub(super) fn register_key(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    k: &proto::RegisterKey,
) -> Res<()> {
    let h = cx.block.height;
    let key = StateKey::Key(k.public_key.clone());
    if cx.get::<KeyState>(&key)?.is_some() {
        return no(
            RejectCode::AlreadyExists,
            "this public key is already registered",
        );
    }
    cx.org(&k.org, "organisation")?;
    // Operators may be added by the org's own admins; admins only from above.
    cx.require_admin_over(signers, &k.org, k.role != ROLE_ADMIN)?;
    let state = KeyState {
        org: k.org.clone(),
        role: k.role,
        distid: k.distid.clone(),
        not_before_ms: k.not_before_ms,
        not_after_ms: k.not_after_ms,
        revoked_at_height: 0,
        registered_at_height: h,
    };
    cx.put(key, &state);
    Ok(())
}

pub(super) fn revoke_key(cx: &mut Ctx<'_>, signers: &[Signer], k: &proto::RevokeKey) -> Res<()> {
    let h = cx.block.height;
    let key = StateKey::Key(k.public_key.clone());
    let Some(mut state) = cx.get::<KeyState>(&key)? else {
        return no(RejectCode::NotFound, "no such key");
    };
    if state.revoked_at_height != 0 {
        return no(RejectCode::NotActive, "key already revoked");
    }
    let self_revoke = signers.iter().any(|s| s.public_key == k.public_key);
    if !self_revoke {
        cx.require_admin_over(signers, &state.org, true)?;
    }
    state.revoked_at_height = h;
    cx.put(key, &state);
    Ok(())
}

pub(super) fn grant(cx: &mut Ctx<'_>, signers: &[Signer], g: &proto::GrantAuthority) -> Res<()> {
    let h = cx.block.height;
    let org = cx.org(&g.org, "grantee")?;
    if !region_covers(&org.division, &g.region) {
        return no(
            RejectCode::InvalidField,
            format!(
                "region {} lies outside {}'s division {}",
                g.region, g.org, org.division
            ),
        );
    }
    cx.require_admin_over(signers, &g.org, false)?;
    // A grant to issue a national type names a registered type.
    if g.kind == AUTH_CERT
        && check_type_code(&g.scope).is_ok()
        && cx
            .get::<CertificateTypeState>(&StateKey::CertType(g.scope.clone()))?
            .is_none()
    {
        return no(
            RejectCode::NotFound,
            format!("certificate type {} is not registered", g.scope),
        );
    }
    let key = StateKey::Grant {
        org: g.org.clone(),
        kind: g.kind,
        scope: g.scope.clone(),
        region: g.region.clone(),
    };
    if matches!(cx.get::<GrantState>(&key)?, Some(s) if s.active) {
        return no(RejectCode::AlreadyExists, "grant already in force");
    }
    cx.put(
        key,
        &GrantState {
            active: true,
            height: h,
        },
    );
    Ok(())
}

pub(super) fn revoke_grant(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    g: &proto::RevokeGrant,
) -> Res<()> {
    let h = cx.block.height;
    let key = StateKey::Grant {
        org: g.org.clone(),
        kind: g.kind,
        scope: g.scope.clone(),
        region: g.region.clone(),
    };
    match cx.get::<GrantState>(&key)? {
        None => return no(RejectCode::NotFound, "no such grant"),
        Some(s) if !s.active => return no(RejectCode::NotActive, "grant already revoked"),
        Some(_) => {}
    }
    cx.require_admin_over(signers, &g.org, false)?;
    cx.put(
        key,
        &GrantState {
            active: false,
            height: h,
        },
    );
    Ok(())
}

pub(super) fn change_validators(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    c: &proto::ChangeValidators,
) -> Res<()> {
    let h = cx.block.height;
    if !cx.committee_approves(signers) {
        return no(
            RejectCode::Unauthorised,
            format!(
                "a validator change needs {} committee signatures",
                cx.params.committee_threshold
            ),
        );
    }
    for v in &c.validators {
        cx.org(&v.org, "validator organisation")?;
    }
    // Takes effect two heights later, so every node switches at the same block.
    let state = ValidatorSetState {
        validators: c.validators.clone(),
        since_height: h + 2,
    };
    cx.put(StateKey::Validators, &state);
    Ok(())
}
