//! Network identities admitted to the members (`docs/spec/records.md` §3.3):
//! an organisation's admins (or an admin above it, or the committee)
//! register and remove the Ed25519 keys whose libp2p peer ids may connect.

use super::context::{Ctx, Signer};
use super::{Res, no};
use crate::proto::{self, PeerState};
use crate::rejection::RejectCode;
use crate::state::StateKey;

pub(super) fn register_peer(
    cx: &mut Ctx<'_>,
    signers: &[Signer],
    p: &proto::RegisterPeer,
) -> Res<()> {
    let key = StateKey::Peer(p.peer_public_key.clone());
    if matches!(cx.get::<PeerState>(&key)?, Some(s) if s.removed_at_height == 0) {
        return no(
            RejectCode::AlreadyExists,
            "this network identity is already registered",
        );
    }
    cx.org(&p.org, "organisation")?;
    cx.require_admin_over(signers, &p.org, true)?;
    let state = PeerState {
        org: p.org.clone(),
        role: p.role,
        registered_at_height: cx.block.height,
        removed_at_height: 0,
    };
    cx.put(key, &state);
    Ok(())
}

pub(super) fn remove_peer(cx: &mut Ctx<'_>, signers: &[Signer], p: &proto::RemovePeer) -> Res<()> {
    let key = StateKey::Peer(p.peer_public_key.clone());
    let Some(mut state) = cx.get::<PeerState>(&key)? else {
        return no(RejectCode::NotFound, "no such network identity");
    };
    if state.removed_at_height != 0 {
        return no(RejectCode::NotActive, "network identity already removed");
    }
    cx.require_admin_over(signers, &state.org, true)?;
    state.removed_at_height = cx.block.height;
    cx.put(key, &state);
    Ok(())
}
