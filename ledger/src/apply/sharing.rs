//! Data-sharing records: request, decision, delivery, receipt, each by its own party and in order.

use super::context::{AUTH_SHARE, Ctx, Signer};
use super::{Res, no};
use crate::proto::{self, ShareState, ShareStep};
use crate::rejection::RejectCode;
use crate::state::StateKey;

/// The approver (never the requester: a stateless field rule) must hold an
/// active share-approval grant for the data item whose region covers the
/// provider's division (`docs/spec/records.md` §4.4).
fn require_approval_grant(
    cx: &Ctx<'_>,
    approver: &str,
    data_item: &str,
    provider: &str,
) -> Res<()> {
    let provider = cx.org(provider, "provider")?;
    if cx.has_grant(approver, AUTH_SHARE, data_item, &provider.division)? {
        return Ok(());
    }
    no(
        RejectCode::Unauthorised,
        format!(
            "{approver} holds no approval grant for {data_item:?} over {}",
            provider.division
        ),
    )
}

pub(super) fn share_request(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    r: &proto::ShareRequest,
) -> Res<()> {
    let h = cx.block.height;
    let key = StateKey::Share(r.request_id.clone());
    if cx.get::<ShareState>(&key)?.is_some() {
        return no(
            RejectCode::AlreadyExists,
            format!("request {} exists", r.request_id),
        );
    }
    cx.org(&r.requester, "requester")?;
    cx.org(&r.provider, "provider")?;
    cx.org(&r.approver, "approver")?;
    cx.require_member(signers, &r.requester)?;
    require_approval_grant(cx, &r.approver, &r.data_item, &r.provider)?;
    let state = ShareState {
        step: ShareStep::Requested as i32,
        requester: r.requester.clone(),
        provider: r.provider.clone(),
        approver: r.approver.clone(),
        holder_commitment: r.holder_commitment.clone(),
        payload_digest: Vec::new(),
        height: h,
        data_item: r.data_item.clone(),
    };
    cx.put(key, &state);
    Ok(())
}

pub(super) fn share_decision(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    d: &proto::ShareDecision,
) -> Res<()> {
    let h = cx.block.height;
    let mut state = cx.share(&d.request_id, ShareStep::Requested)?;
    cx.require_member(signers, &state.approver)?;
    // The grant may have been revoked since the request.
    require_approval_grant(cx, &state.approver, &state.data_item, &state.provider)?;
    state.step = if d.approved {
        ShareStep::Approved
    } else {
        ShareStep::Refused
    } as i32;
    state.height = h;
    cx.put(StateKey::Share(d.request_id.clone()), &state);
    Ok(())
}

pub(super) fn share_delivery(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    d: &proto::ShareDelivery,
) -> Res<()> {
    let h = cx.block.height;
    let mut state = cx.share(&d.request_id, ShareStep::Approved)?;
    cx.require_member(signers, &state.provider)?;
    state.step = ShareStep::Delivered as i32;
    state.payload_digest = d.payload_digest.clone();
    state.height = h;
    cx.put(StateKey::Share(d.request_id.clone()), &state);
    Ok(())
}

pub(super) fn share_receipt(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    r: &proto::ShareReceipt,
) -> Res<()> {
    let h = cx.block.height;
    let mut state = cx.share(&r.request_id, ShareStep::Delivered)?;
    cx.require_member(signers, &state.requester)?;
    if state.payload_digest != r.payload_digest {
        return no(
            RejectCode::InvalidField,
            "receipt digest differs from what was delivered",
        );
    }
    state.step = ShareStep::Received as i32;
    state.height = h;
    cx.put(StateKey::Share(r.request_id.clone()), &state);
    Ok(())
}
