//! The execution context: state access, signer resolution and the authority
//! checks shared by every kind of record.

use prost::Message;

use super::{BlockContext, Res, no};
use crate::codes::division_prefix;
use crate::params::ChainParams;
use crate::proto::{
    self, CertificateState, GrantState, KeyState, OrgState, ShareState, ShareStep, SubjectStatus,
};
use crate::record::Record;
use crate::rejection::RejectCode;
use crate::state::{StateKey, StateView, WriteSet, get_typed};

pub(super) const ROLE_ADMIN: i32 = proto::KeyRole::Admin as i32;
pub(super) const AUTH_CERT: i32 = proto::AuthorityKind::Certificate as i32;
pub(super) const AUTH_SEAL: i32 = proto::AuthorityKind::Seal as i32;
pub(super) const AUTH_SHARE: i32 = proto::AuthorityKind::ShareApproval as i32;
pub(super) const AUTH_USE: i32 = proto::AuthorityKind::UseAuthorisation as i32;
pub(super) const ACTIVE: i32 = SubjectStatus::Active as i32;

/// A signer resolved against the key registry.
pub(super) struct Signer {
    pub(super) org: String,
    pub(super) role: i32,
    pub(super) public_key: Vec<u8>,
}

pub(super) struct Ctx<'a> {
    pub(super) params: &'a ChainParams,
    pub(super) view: &'a dyn StateView,
    pub(super) block: BlockContext,
    pub(super) writes: WriteSet,
}

impl Ctx<'_> {
    pub(super) fn get<M: Message + Default>(&self, key: &StateKey) -> Res<Option<M>> {
        Ok(get_typed(self.view, key)?)
    }

    pub(super) fn put<M: Message>(&mut self, key: StateKey, value: &M) {
        self.writes.push((key, value.encode_to_vec()));
    }

    pub(super) fn org(&self, code: &str, what: &str) -> Res<OrgState> {
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
    pub(super) fn signers(&self, record: &Record) -> Res<Vec<Signer>> {
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
    pub(super) fn is_ancestor(&self, ancestor: &str, org: &str, inclusive: bool) -> Res<bool> {
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

    pub(super) fn committee_approves(&self, signers: &[Signer]) -> bool {
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
    pub(super) fn require_admin_over(
        &self,
        signers: &[Signer],
        target: &str,
        inclusive: bool,
    ) -> Res<()> {
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

    pub(super) fn require_member(&self, signers: &[Signer], org: &str) -> Res<()> {
        if signers.iter().any(|s| s.org == org) {
            return Ok(());
        }
        no(RejectCode::Unauthorised, format!("needs a key of {org}"))
    }

    /// An active grant of `kind`/`scope` to `org` whose region covers `division`.
    pub(super) fn has_grant(&self, org: &str, kind: i32, scope: &str, division: &str) -> Res<bool> {
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

    pub(super) fn check_issue(
        &mut self,
        signers: &[Signer],
        c: &proto::IssueCertificate,
    ) -> Res<StateKey> {
        let key = StateKey::Certificate {
            issuer: c.issuer.clone(),
            type_code: c.type_code.clone(),
            cert_no: c.cert_no.clone(),
        };
        if self.get::<CertificateState>(&key)?.is_some() {
            return no(
                RejectCode::AlreadyExists,
                format!(
                    "certificate {} {} of {} already exists",
                    c.type_code, c.cert_no, c.issuer
                ),
            );
        }
        self.org(&c.issuer, "issuer")?;
        self.require_member(signers, &c.issuer)?;
        self.require_issue_grant(c)?;
        Ok(key)
    }

    /// The issuer holds an active grant for the certificate's type whose
    /// region covers the certificate's region.
    pub(super) fn require_issue_grant(&self, c: &proto::IssueCertificate) -> Res<()> {
        if self.has_grant(&c.issuer, AUTH_CERT, &c.type_code, &c.region)? {
            return Ok(());
        }
        no(
            RejectCode::Unauthorised,
            format!(
                "{} holds no grant for type {} in {}",
                c.issuer, c.type_code, c.region
            ),
        )
    }

    pub(super) fn new_certificate(
        &self,
        c: &proto::IssueCertificate,
        record: &Record,
    ) -> CertificateState {
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

    pub(super) fn share(&self, id: &str, want: ShareStep) -> Res<ShareState> {
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

pub(super) fn step_name(step: i32) -> &'static str {
    ShareStep::try_from(step)
        .map(|s| s.as_str_name())
        .unwrap_or("UNKNOWN")
}

pub(super) fn hex_prefix(b: &[u8]) -> String {
    b.iter()
        .skip(1)
        .take(6)
        .map(|x| format!("{x:02x}"))
        .collect()
}
