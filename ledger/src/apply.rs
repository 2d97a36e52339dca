//! Execution: `apply(state, record, block) -> writes`, deterministic and pure.
//!
//! Every rule of `docs/spec/records.md` §4 lives here: who may sign what (by
//! level, region and grant), lifecycles, duplicates and times. A refusal is a
//! [`Rejection`] with a stable code; nothing is written for a refused record.

use prost::Message;

use crate::LedgerError;
use crate::codes::{division_level, division_prefix, region_covers};
use crate::params::ChainParams;
use crate::proto::{
    self, CertificateState, GrantState, KeyState, OrgState, RecordState, SealState, ShareState,
    ShareStep, SubjectStatus, ValidatorSetState, record_body::Kind,
};
use crate::record::Record;
use crate::rejection::{RejectCode, Rejection};
use crate::state::{StateKey, StateView, WriteSet, get_typed};

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

const ROLE_ADMIN: i32 = proto::KeyRole::Admin as i32;
const AUTH_CERT: i32 = proto::AuthorityKind::Certificate as i32;
const AUTH_SEAL: i32 = proto::AuthorityKind::Seal as i32;
const ACTIVE: i32 = SubjectStatus::Active as i32;

/// A signer resolved against the key registry.
struct Signer {
    org: String,
    role: i32,
    public_key: Vec<u8>,
}

struct Ctx<'a> {
    params: &'a ChainParams,
    view: &'a dyn StateView,
    block: BlockContext,
    writes: WriteSet,
}

impl Ctx<'_> {
    fn get<M: Message + Default>(&self, key: &StateKey) -> Res<Option<M>> {
        Ok(get_typed(self.view, key)?)
    }

    fn put<M: Message>(&mut self, key: StateKey, value: &M) {
        self.writes.push((key, value.encode_to_vec()));
    }

    fn org(&self, code: &str, what: &str) -> Res<OrgState> {
        match self.get::<OrgState>(&StateKey::Org(code.to_owned()))? {
            None => no(
                RejectCode::NotFound,
                format!("{what} {code} is not registered"),
            ),
            Some(o) if !o.active => no(
                RejectCode::NotActive,
                format!("{what} {code} is deactivated"),
            ),
            Some(o) => Ok(o),
        }
    }

    /// Every signer must be a registered, unrevoked key, valid at block time,
    /// registered with the distinguishing ID it signed under, of an active org.
    fn signers(&self, record: &Record) -> Res<Vec<Signer>> {
        let mut out = Vec::new();
        for s in record.signers() {
            let hexkey = hex_prefix(&s.public_key);
            let Some(k) = self.get::<KeyState>(&StateKey::Key(s.public_key.clone()))? else {
                return no(
                    RejectCode::UnknownKey,
                    format!("key {hexkey}… is not registered"),
                );
            };
            if k.revoked_at_height != 0 {
                return no(
                    RejectCode::KeyRevoked,
                    format!(
                        "key {hexkey}… was revoked at height {}",
                        k.revoked_at_height
                    ),
                );
            }
            let t = self.block.time_ms;
            if t < k.not_before_ms || (k.not_after_ms != 0 && t >= k.not_after_ms) {
                return no(
                    RejectCode::KeyNotValid,
                    format!("key {hexkey}… is not valid at {t}"),
                );
            }
            let registered = if k.distid.is_empty() {
                yinzheng_crypto::DEFAULT_DISTID
            } else {
                k.distid.as_str()
            };
            if registered != s.distid {
                return no(
                    RejectCode::KeyNotValid,
                    format!(
                        "key {hexkey}… signed under ID {:?}, registered {registered:?}",
                        s.distid
                    ),
                );
            }
            self.org(&k.org, "signer organisation")?;
            out.push(Signer {
                org: k.org,
                role: k.role,
                public_key: s.public_key.clone(),
            });
        }
        Ok(out)
    }

    /// Whether `ancestor` is `org` itself (when `inclusive`) or above it.
    fn is_ancestor(&self, ancestor: &str, org: &str, inclusive: bool) -> Res<bool> {
        let mut cur = org.to_owned();
        if !inclusive {
            match self.get::<OrgState>(&StateKey::Org(cur.clone()))? {
                Some(o) if !o.parent.is_empty() => cur = o.parent,
                _ => return Ok(false),
            }
        }
        // Organisation trees are at most four levels deep; the bound guards cycles.
        for _ in 0..8 {
            if cur == ancestor {
                return Ok(true);
            }
            match self.get::<OrgState>(&StateKey::Org(cur.clone()))? {
                Some(o) if !o.parent.is_empty() => cur = o.parent,
                _ => return Ok(false),
            }
        }
        Ok(false)
    }

    fn committee_approves(&self, signers: &[Signer]) -> bool {
        let mut orgs: Vec<&str> = signers
            .iter()
            .filter(|s| s.role == ROLE_ADMIN && self.params.committee.contains(&s.org))
            .map(|s| s.org.as_str())
            .collect();
        orgs.sort_unstable();
        orgs.dedup();
        u32::try_from(orgs.len()).unwrap_or(u32::MAX) >= self.params.committee_threshold
    }

    /// An admin of an organisation above `target` (or `target` itself when
    /// `inclusive`) signed, or the committee approved.
    fn require_admin_over(&self, signers: &[Signer], target: &str, inclusive: bool) -> Res<()> {
        for s in signers {
            if s.role == ROLE_ADMIN && self.is_ancestor(&s.org, target, inclusive)? {
                return Ok(());
            }
        }
        if self.committee_approves(signers) {
            return Ok(());
        }
        no(
            RejectCode::Unauthorised,
            format!("needs an admin key of an organisation above {target}, or the committee"),
        )
    }

    fn require_member(&self, signers: &[Signer], org: &str) -> Res<()> {
        if signers.iter().any(|s| s.org == org) {
            return Ok(());
        }
        no(RejectCode::Unauthorised, format!("needs a key of {org}"))
    }

    /// An active grant of `kind`/`scope` to `org` whose region covers `division`.
    fn has_grant(&self, org: &str, kind: i32, scope: &str, division: &str) -> Res<bool> {
        let p = division_prefix(division);
        for len in (0..=p.len()).rev().step_by(2) {
            let region = format!("{:0<6}", &p[..len]);
            let key = StateKey::Grant {
                org: org.to_owned(),
                kind,
                scope: scope.to_owned(),
                region,
            };
            if self.get::<GrantState>(&key)?.is_some_and(|g| g.active) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn check_issue(&mut self, signers: &[Signer], c: &proto::IssueCertificate) -> Res<StateKey> {
        let key = StateKey::Certificate {
            type_code: c.type_code.clone(),
            cert_no: c.cert_no.clone(),
        };
        if self.get::<CertificateState>(&key)?.is_some() {
            return no(
                RejectCode::AlreadyExists,
                format!("certificate {} {} already exists", c.type_code, c.cert_no),
            );
        }
        self.org(&c.issuer, "issuer")?;
        self.require_member(signers, &c.issuer)?;
        if !self.has_grant(&c.issuer, AUTH_CERT, &c.type_code, &c.region)? {
            return no(
                RejectCode::Unauthorised,
                format!(
                    "{} holds no grant for type {} in {}",
                    c.issuer, c.type_code, c.region
                ),
            );
        }
        Ok(key)
    }

    fn new_certificate(&self, c: &proto::IssueCertificate, record: &Record) -> CertificateState {
        CertificateState {
            status: ACTIVE,
            issuer: c.issuer.clone(),
            record_id: record.id().0.to_vec(),
            issued_at_height: self.block.height,
            valid_from_ms: c.valid_from_ms,
            valid_until_ms: c.valid_until_ms,
            ..Default::default()
        }
    }

    fn share(&self, id: &str, want: ShareStep) -> Res<ShareState> {
        let Some(s) = self.get::<ShareState>(&StateKey::Share(id.to_owned()))? else {
            return no(
                RejectCode::NotFound,
                format!("no data-sharing request {id}"),
            );
        };
        if s.step != want as i32 {
            return no(
                RejectCode::OutOfOrder,
                format!(
                    "request {id} is at step {:?}, needs {:?}",
                    step_name(s.step),
                    want
                ),
            );
        }
        Ok(s)
    }
}

fn step_name(step: i32) -> &'static str {
    ShareStep::try_from(step)
        .map(|s| s.as_str_name())
        .unwrap_or("UNKNOWN")
}

fn hex_prefix(b: &[u8]) -> String {
    b.iter()
        .skip(1)
        .take(6)
        .map(|x| format!("{x:02x}"))
        .collect()
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
    // Stamps are signed by the seal's own key, which is not in the key registry.
    let signers = if matches!(kind, Kind::Stamp(_)) {
        Vec::new()
    } else {
        cx.signers(record)?
    };
    let h = block.height;
    match kind {
        Kind::RegisterOrg(o) => {
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
            if division_level(&o.division) != o.level
                || !region_covers(&parent.division, &o.division)
            {
                return no(
                    RejectCode::InvalidField,
                    format!(
                        "division {} does not fit level {} under {}",
                        o.division, o.level, parent.division
                    ),
                );
            }
            cx.require_admin_over(&signers, &o.parent, true)?;
            let state = OrgState {
                name: o.name.clone(),
                level: o.level,
                division: o.division.clone(),
                parent: o.parent.clone(),
                active: true,
                height: h,
            };
            cx.put(key, &state);
        }
        Kind::UpdateOrg(o) => {
            let key = StateKey::Org(o.credit_code.clone());
            let mut state = cx.org(&o.credit_code, "organisation")?;
            cx.require_admin_over(&signers, &o.credit_code, false)?;
            if !o.name.is_empty() {
                state.name = o.name.clone();
            }
            state.active = !o.deactivate;
            state.height = h;
            cx.put(key, &state);
        }
        Kind::RegisterKey(k) => {
            let key = StateKey::Key(k.public_key.clone());
            if cx.get::<KeyState>(&key)?.is_some() {
                return no(
                    RejectCode::AlreadyExists,
                    "this public key is already registered",
                );
            }
            cx.org(&k.org, "organisation")?;
            // Operators may be added by the org's own admins; admins only from above.
            cx.require_admin_over(&signers, &k.org, k.role != ROLE_ADMIN)?;
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
        }
        Kind::RevokeKey(k) => {
            let key = StateKey::Key(k.public_key.clone());
            let Some(mut state) = cx.get::<KeyState>(&key)? else {
                return no(RejectCode::NotFound, "no such key");
            };
            if state.revoked_at_height != 0 {
                return no(RejectCode::NotActive, "key already revoked");
            }
            let self_revoke = signers.iter().any(|s| s.public_key == k.public_key);
            if !self_revoke {
                cx.require_admin_over(&signers, &state.org, true)?;
            }
            state.revoked_at_height = h;
            cx.put(key, &state);
        }
        Kind::Grant(g) => {
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
            cx.require_admin_over(&signers, &g.org, false)?;
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
        }
        Kind::RevokeGrant(g) => {
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
            cx.require_admin_over(&signers, &g.org, false)?;
            cx.put(
                key,
                &GrantState {
                    active: false,
                    height: h,
                },
            );
        }
        Kind::ChangeValidators(c) => {
            if !cx.committee_approves(&signers) {
                return no(
                    RejectCode::Unauthorised,
                    format!(
                        "a validator change needs {} committee signatures",
                        params.committee_threshold
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
        }
        Kind::IssueCertificate(c) => {
            let key = cx.check_issue(&signers, c)?;
            let state = cx.new_certificate(c, record);
            cx.put(key, &state);
        }
        Kind::RevokeCertificate(c) => {
            let key = StateKey::Certificate {
                type_code: c.type_code.clone(),
                cert_no: c.cert_no.clone(),
            };
            let Some(mut state) = cx.get::<CertificateState>(&key)? else {
                return no(
                    RejectCode::NotFound,
                    format!("no certificate {} {}", c.type_code, c.cert_no),
                );
            };
            if state.status != ACTIVE {
                return no(RejectCode::NotActive, "certificate is not active");
            }
            cx.require_member(&signers, &state.issuer)
                .or_else(|_| cx.require_admin_over(&signers, &state.issuer, false))?;
            state.status = SubjectStatus::Revoked as i32;
            state.reason = c.reason;
            state.changed_at_height = h;
            state.changed_at_ms = block.time_ms;
            cx.put(key, &state);
        }
        Kind::SupersedeCertificate(c) => {
            let old_key = StateKey::Certificate {
                type_code: c.type_code.clone(),
                cert_no: c.old_cert_no.clone(),
            };
            let Some(mut old) = cx.get::<CertificateState>(&old_key)? else {
                return no(
                    RejectCode::NotFound,
                    format!("no certificate {}", c.old_cert_no),
                );
            };
            if old.status != ACTIVE {
                return no(
                    RejectCode::NotActive,
                    "certificate to supersede is not active",
                );
            }
            let Some(new) = &c.replacement else {
                return no(RejectCode::InvalidField, "no replacement");
            };
            if new.issuer != old.issuer {
                return no(
                    RejectCode::Unauthorised,
                    "only the original issuer may supersede",
                );
            }
            let new_key = cx.check_issue(&signers, new)?;
            old.status = SubjectStatus::Superseded as i32;
            old.superseded_by = new.cert_no.clone();
            old.changed_at_height = h;
            old.changed_at_ms = block.time_ms;
            let state = cx.new_certificate(new, record);
            cx.put(old_key, &old);
            cx.put(new_key, &state);
        }
        Kind::RegisterSeal(s) => {
            let key = StateKey::Seal(s.seal_id.clone());
            if cx.get::<SealState>(&key)?.is_some() {
                return no(
                    RejectCode::AlreadyExists,
                    format!("seal {} exists", s.seal_id),
                );
            }
            let owner = cx.org(&s.owner, "seal owner")?;
            let mut authorised = false;
            for signer in &signers {
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
        }
        Kind::RevokeSeal(s) => {
            let key = StateKey::Seal(s.seal_id.clone());
            let Some(mut state) = cx.get::<SealState>(&key)? else {
                return no(RejectCode::NotFound, format!("no seal {}", s.seal_id));
            };
            if state.status != ACTIVE {
                return no(RejectCode::NotActive, "seal is not active");
            }
            let owner = cx.org(&state.owner, "seal owner")?;
            let mut authorised = false;
            for signer in &signers {
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
            state.changed_at_ms = block.time_ms;
            cx.put(key, &state);
        }
        Kind::Stamp(s) => {
            let Some(seal) = cx.get::<SealState>(&StateKey::Seal(s.seal_id.clone()))? else {
                return no(RejectCode::NotFound, format!("no seal {}", s.seal_id));
            };
            if seal.status != ACTIVE {
                return no(
                    RejectCode::NotActive,
                    format!("seal {} is not active", s.seal_id),
                );
            }
            let t = block.time_ms;
            if t < seal.valid_from_ms || (seal.valid_until_ms != 0 && t >= seal.valid_until_ms) {
                return no(
                    RejectCode::OutsideValidity,
                    format!("seal {} is not valid at {t}", s.seal_id),
                );
            }
            let by_seal = record.signers().len() == 1
                && record.signers()[0].public_key == seal.seal_public_key;
            if !by_seal {
                return no(
                    RejectCode::Unauthorised,
                    "a stamp is signed by the seal's own key alone",
                );
            }
        }
        Kind::ShareRequest(r) => {
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
            cx.require_member(&signers, &r.requester)?;
            let state = ShareState {
                step: ShareStep::Requested as i32,
                requester: r.requester.clone(),
                provider: r.provider.clone(),
                approver: r.approver.clone(),
                holder_commitment: r.holder_commitment.clone(),
                payload_digest: Vec::new(),
                height: h,
            };
            cx.put(key, &state);
        }
        Kind::ShareDecision(d) => {
            let mut state = cx.share(&d.request_id, ShareStep::Requested)?;
            cx.require_member(&signers, &state.approver)?;
            state.step = if d.approved {
                ShareStep::Approved
            } else {
                ShareStep::Refused
            } as i32;
            state.height = h;
            cx.put(StateKey::Share(d.request_id.clone()), &state);
        }
        Kind::ShareDelivery(d) => {
            let mut state = cx.share(&d.request_id, ShareStep::Approved)?;
            cx.require_member(&signers, &state.provider)?;
            state.step = ShareStep::Delivered as i32;
            state.payload_digest = d.payload_digest.clone();
            state.height = h;
            cx.put(StateKey::Share(d.request_id.clone()), &state);
        }
        Kind::ShareReceipt(r) => {
            let mut state = cx.share(&r.request_id, ShareStep::Delivered)?;
            cx.require_member(&signers, &state.requester)?;
            if state.payload_digest != r.payload_digest {
                return no(
                    RejectCode::InvalidField,
                    "receipt digest differs from what was delivered",
                );
            }
            state.step = ShareStep::Received as i32;
            state.height = h;
            cx.put(StateKey::Share(r.request_id.clone()), &state);
        }
    }
    Ok(cx.writes)
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
pub fn execute_block(
    params: &ChainParams,
    view: &dyn StateView,
    records: &[Record],
    block: BlockContext,
    first_index: u64,
) -> Result<(Vec<Outcome>, WriteSet), LedgerError> {
    let mut overlay = crate::state::Overlay::new(view);
    let mut outcomes = Vec::with_capacity(records.len());
    let mut next = first_index;
    for r in records {
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
