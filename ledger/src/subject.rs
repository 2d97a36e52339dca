//! Which status-map entry a record is about (its "subject").

use yinzheng_crypto::Digest;

use crate::proto::record_body::Kind;
use crate::record::{Record, RecordKind};
use crate::state::StateKey;

/// The state key of the subject whose status a bundle reports, if the kind has one.
pub fn subject_key(record: &Record) -> Option<StateKey> {
    subject_of(record.id(), record.payload()?)
}

/// [`subject_key`] from a record's id and payload (for a record parsed but not
/// verified again, such as a committed one read back from storage).
pub fn subject_of(id: Digest, payload: &Kind) -> Option<StateKey> {
    let cert = |i: &str, t: &str, n: &str| StateKey::Certificate {
        issuer: i.to_owned(),
        type_code: t.to_owned(),
        cert_no: n.to_owned(),
    };
    Some(match payload {
        Kind::IssueCertificate(c) if !c.identifier.is_empty() => {
            StateKey::Ecert(c.identifier.clone())
        }
        Kind::IssueCertificate(c) => cert(&c.issuer, &c.type_code, &c.cert_no),
        Kind::RevokeCertificate(c) => cert(&c.issuer, &c.type_code, &c.cert_no),
        Kind::SupersedeCertificate(c) => {
            let r = c.replacement.as_ref()?;
            if r.identifier.is_empty() {
                cert(&r.issuer, &r.type_code, &r.cert_no)
            } else {
                StateKey::Ecert(r.identifier.clone())
            }
        }
        Kind::RegisterCertificateType(t) => StateKey::CertType(t.type_code.clone()),
        Kind::SetCertificateStatus(s) => StateKey::Ecert(s.identifier.clone()),
        Kind::AuthoriseUse(_) => StateKey::UseAuthorisation(id),
        Kind::UseCertificate(u) => StateKey::Ecert(u.identifier.clone()),
        Kind::RegisterSeal(s) => StateKey::Seal(s.seal_id.clone()),
        Kind::RevokeSeal(s) => StateKey::Seal(s.seal_id.clone()),
        Kind::Stamp(s) => StateKey::Seal(s.seal_id.clone()),
        Kind::ShareRequest(r) => StateKey::Share(r.request_id.clone()),
        Kind::ShareDecision(r) => StateKey::Share(r.request_id.clone()),
        Kind::ShareDelivery(r) => StateKey::Share(r.request_id.clone()),
        Kind::ShareReceipt(r) => StateKey::Share(r.request_id.clone()),
        Kind::RegisterOrg(o) => StateKey::Org(o.credit_code.clone()),
        Kind::UpdateOrg(o) => StateKey::Org(o.credit_code.clone()),
        Kind::RegisterKey(k) => StateKey::Key(k.public_key.clone()),
        Kind::RevokeKey(k) => StateKey::Key(k.public_key.clone()),
        Kind::Grant(g) => StateKey::Grant {
            org: g.org.clone(),
            kind: g.kind,
            scope: g.scope.clone(),
            region: g.region.clone(),
        },
        Kind::RevokeGrant(g) => StateKey::Grant {
            org: g.org.clone(),
            kind: g.kind,
            scope: g.scope.clone(),
            region: g.region.clone(),
        },
        Kind::ChangeValidators(_) => StateKey::Validators,
        Kind::RegisterPeer(p) => StateKey::Peer(p.peer_public_key.clone()),
        Kind::RemovePeer(p) => StateKey::Peer(p.peer_public_key.clone()),
    })
}

/// The subject a committed record creates and that a bundle can later be
/// fetched by (certificate, seal, stamping): an issue or a supersession's
/// replacement, a seal registration, an anchored national stamping. Every
/// other kind creates none.
pub fn created_subject(record: &Record) -> Option<StateKey> {
    match record.kind() {
        RecordKind::IssueCertificate
        | RecordKind::SupersedeCertificate
        | RecordKind::RegisterCertificateType
        | RecordKind::AuthoriseUse
        | RecordKind::RegisterSeal => subject_key(record),
        // An anchored national stamping is found by SM3 of its SES_Signature.
        RecordKind::Stamp => match record.payload()? {
            Kind::Stamp(s) if !s.ses_signature.is_empty() => Some(StateKey::Stamping(
                yinzheng_crypto::Suite::Sm.hash(&s.ses_signature),
            )),
            _ => None,
        },
        RecordKind::RegisterOrg
        | RecordKind::UpdateOrg
        | RecordKind::RegisterKey
        | RecordKind::RevokeKey
        | RecordKind::Grant
        | RecordKind::RevokeGrant
        | RecordKind::ChangeValidators
        | RecordKind::RegisterPeer
        | RecordKind::RemovePeer
        | RecordKind::RevokeCertificate
        | RecordKind::SetCertificateStatus
        | RecordKind::UseCertificate
        | RecordKind::RevokeSeal
        | RecordKind::ShareRequest
        | RecordKind::ShareDecision
        | RecordKind::ShareDelivery
        | RecordKind::ShareReceipt => None,
    }
}
