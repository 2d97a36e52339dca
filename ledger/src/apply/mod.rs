//! Execution: `apply(state, record, block) -> writes`, deterministic and pure.
//!
//! Every rule of `docs/spec/records.md` §4 lives here: who may sign what (by
//! level, region and grant), lifecycles, duplicates and times. A refusal is a
//! [`Rejection`] with a stable code; nothing is written for a refused record.

mod certificates;
mod consortium;
mod context;
mod ecert;
mod peers;
mod seals;
mod sharing;

use std::borrow::Borrow;

use prost::Message;

use crate::LedgerError;
use crate::params::ChainParams;
use crate::proto::{RecordState, record_body::Kind};
use crate::record::Record;
use crate::rejection::{RejectCode, Rejection};
use crate::state::{StateKey, StateView, WriteSet};
use context::Ctx;

/// The block a record is executed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockContext {
    /// Block height.
    pub height: u64,
    /// Consensus time of the block, ms since the Unix epoch.
    pub time_ms: u64,
}

/// Why `apply` did not produce writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// The record breaks a rule; it is not committed.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The state could not be read: the node must stop, not skip the record.
    #[error(transparent)]
    State(#[from] LedgerError),
}

type Res<T> = Result<T, ApplyError>;

fn no<T>(code: RejectCode, msg: impl Into<String>) -> Res<T> {
    Err(ApplyError::Rejected(Rejection::new(code, msg)))
}

/// Execute one record against `view` in block `block`.
///
/// Returns the writes to make (the record's own `Record` entry excluded: the
/// block executor adds it with the record's log index).
pub fn apply(
    params: &ChainParams,
    view: &dyn StateView,
    record: &Record,
    block: BlockContext,
) -> Result<WriteSet, ApplyError> {
    let mut cx = Ctx {
        params,
        view,
        block,
        writes: Vec::new(),
    };
    if cx
        .get::<RecordState>(&StateKey::Record(record.id()))?
        .is_some()
    {
        return no(
            RejectCode::Duplicate,
            format!("record {} is already committed", record.id()),
        );
    }
    let signed = record.body().signed_at_ms;
    if signed.saturating_add(params.max_record_age_ms) < block.time_ms {
        return no(
            RejectCode::Expired,
            format!(
                "signed at {signed}, older than {} ms at block time",
                params.max_record_age_ms
            ),
        );
    }
    if signed > block.time_ms.saturating_add(params.max_clock_skew_ms) {
        return no(
            RejectCode::FromTheFuture,
            format!("signed at {signed}, after block time"),
        );
    }
    let Some(kind) = record.payload() else {
        return Err(Rejection::new(RejectCode::Malformed, "no kind").into());
    };
    // Native stamps are signed by the seal's own key, which is not in the key
    // registry; anchored national stampings by a key of the seal's owner.
    let signers = if matches!(kind, Kind::Stamp(s) if s.ses_signature.is_empty()) {
        Vec::new()
    } else {
        cx.signers(record)?
    };
    match kind {
        Kind::RegisterOrg(o) => consortium::register_org(&mut cx, &signers, o)?,
        Kind::UpdateOrg(o) => consortium::update_org(&mut cx, &signers, o)?,
        Kind::RegisterKey(k) => consortium::register_key(&mut cx, &signers, k)?,
        Kind::RevokeKey(k) => consortium::revoke_key(&mut cx, &signers, k)?,
        Kind::Grant(g) => consortium::grant(&mut cx, &signers, g)?,
        Kind::RevokeGrant(g) => consortium::revoke_grant(&mut cx, &signers, g)?,
        Kind::ChangeValidators(c) => consortium::change_validators(&mut cx, &signers, c)?,
        Kind::RegisterPeer(p) => peers::register_peer(&mut cx, &signers, p)?,
        Kind::RemovePeer(p) => peers::remove_peer(&mut cx, &signers, p)?,
        Kind::IssueCertificate(c) if !c.identifier.is_empty() => {
            ecert::issue(&mut cx, &signers, c, record)?
        }
        Kind::IssueCertificate(c) => certificates::issue_certificate(&mut cx, &signers, c, record)?,
        Kind::RevokeCertificate(c) => certificates::revoke_certificate(&mut cx, &signers, c)?,
        Kind::SupersedeCertificate(c) if !c.old_identifier.is_empty() => {
            let Some(new) = &c.replacement else {
                return no(RejectCode::InvalidField, "no replacement");
            };
            ecert::supersede(&mut cx, &signers, c, new, record)?
        }
        Kind::RegisterCertificateType(t) => ecert::register_type(&mut cx, &signers, t)?,
        Kind::SetCertificateStatus(s) => ecert::set_status(&mut cx, &signers, s)?,
        Kind::AuthoriseUse(a) => ecert::authorise(&mut cx, &signers, a, record)?,
        Kind::UseCertificate(u) => ecert::use_certificate(&mut cx, &signers, u, record)?,
        Kind::SupersedeCertificate(c) => {
            certificates::supersede_certificate(&mut cx, &signers, c, record)?
        }
        Kind::RegisterSeal(s) => seals::register_seal(&mut cx, &signers, s)?,
        Kind::RevokeSeal(s) => seals::revoke_seal(&mut cx, &signers, s)?,
        Kind::Stamp(s) => seals::stamp(&mut cx, &signers, s, record)?,
        Kind::ShareRequest(r) => sharing::share_request(&mut cx, &signers, r)?,
        Kind::ShareDecision(d) => sharing::share_decision(&mut cx, &signers, d)?,
        Kind::ShareDelivery(d) => sharing::share_delivery(&mut cx, &signers, d)?,
        Kind::ShareReceipt(r) => sharing::share_receipt(&mut cx, &signers, r)?,
    }
    Ok(cx.writes)
}

/// The cheap part of the signer checks, made before any signature is
/// verified (threat model A5): every claimed signer is a registered,
/// unrevoked key, or for a stamp the seal's registered key. A stranger's
/// record then costs a node state lookups, not signature verifications.
/// `apply` still makes every check on the verified record.
pub fn check_signers_known(
    view: &dyn StateView,
    record: &crate::record::UnverifiedRecord,
) -> Result<(), ApplyError> {
    use crate::proto::{KeyState, SealState};
    if let Some(Kind::Stamp(s)) = record.payload()
        && s.ses_signature.is_empty()
    {
        let seal: Option<SealState> =
            crate::state::get_typed(view, &StateKey::Seal(s.seal_id.clone()))?;
        let Some(seal) = seal else {
            return no(RejectCode::NotFound, format!("no seal {}", s.seal_id));
        };
        if !record.signer_keys().all(|k| k == seal.seal_public_key) {
            return no(
                RejectCode::Unauthorised,
                "a stamp is signed by the seal's own key alone",
            );
        }
        return Ok(());
    }
    for k in record.signer_keys() {
        let state: Option<KeyState> = crate::state::get_typed(view, &StateKey::Key(k.to_vec()))?;
        match state {
            None => {
                return no(
                    RejectCode::UnknownKey,
                    format!("key {}… is not registered", context::hex_prefix(k)),
                );
            }
            Some(s) if s.revoked_at_height != 0 => {
                return no(
                    RejectCode::KeyRevoked,
                    format!(
                        "key {}… was revoked at height {}",
                        context::hex_prefix(k),
                        s.revoked_at_height
                    ),
                );
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Outcome of one record in a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Committed at this index of the log.
    Committed {
        /// Index in the ledger-wide log.
        log_index: u64,
    },
    /// Refused; not in the block's records.
    Rejected(Rejection),
}

/// Execute a block's candidate records in order. Refused records are dropped
/// (and reported); accepted ones get consecutive log indices from `first_index`.
pub fn execute_block<R: Borrow<Record>>(
    params: &ChainParams,
    view: &dyn StateView,
    records: &[R],
    block: BlockContext,
    first_index: u64,
) -> Result<(Vec<Outcome>, WriteSet), LedgerError> {
    let mut overlay = crate::state::Overlay::new(view);
    let mut outcomes = Vec::with_capacity(records.len());
    let mut next = first_index;
    for r in records {
        let r = r.borrow();
        match apply(params, &overlay, r, block) {
            Ok(mut writes) => {
                let rs = RecordState {
                    height: block.height,
                    log_index: next,
                };
                writes.push((StateKey::Record(r.id()), rs.encode_to_vec()));
                overlay.extend(writes);
                outcomes.push(Outcome::Committed { log_index: next });
                next += 1;
            }
            Err(ApplyError::Rejected(rej)) => outcomes.push(Outcome::Rejected(rej)),
            Err(ApplyError::State(e)) => return Err(e),
        }
    }
    Ok((outcomes, overlay.into_writes()))
}
