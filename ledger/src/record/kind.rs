//! The kinds of record and their stable names.

use crate::proto::record_body::Kind;

/// The kinds of record, with their stable names (used in signing contexts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[allow(missing_docs)] // each name is its record kind, documented in records.proto
pub enum RecordKind {
    RegisterOrg,
    UpdateOrg,
    RegisterKey,
    RevokeKey,
    Grant,
    RevokeGrant,
    ChangeValidators,
    RegisterPeer,
    RemovePeer,
    IssueCertificate,
    RevokeCertificate,
    SupersedeCertificate,
    RegisterCertificateType,
    SetCertificateStatus,
    AuthoriseUse,
    UseCertificate,
    RegisterSeal,
    RevokeSeal,
    Stamp,
    ShareRequest,
    ShareDecision,
    ShareDelivery,
    ShareReceipt,
}

impl RecordKind {
    /// The kind of a body's payload.
    pub fn of(kind: &Kind) -> RecordKind {
        match kind {
            Kind::RegisterOrg(_) => RecordKind::RegisterOrg,
            Kind::UpdateOrg(_) => RecordKind::UpdateOrg,
            Kind::RegisterKey(_) => RecordKind::RegisterKey,
            Kind::RevokeKey(_) => RecordKind::RevokeKey,
            Kind::Grant(_) => RecordKind::Grant,
            Kind::RevokeGrant(_) => RecordKind::RevokeGrant,
            Kind::ChangeValidators(_) => RecordKind::ChangeValidators,
            Kind::RegisterPeer(_) => RecordKind::RegisterPeer,
            Kind::RemovePeer(_) => RecordKind::RemovePeer,
            Kind::IssueCertificate(_) => RecordKind::IssueCertificate,
            Kind::RevokeCertificate(_) => RecordKind::RevokeCertificate,
            Kind::SupersedeCertificate(_) => RecordKind::SupersedeCertificate,
            Kind::RegisterCertificateType(_) => RecordKind::RegisterCertificateType,
            Kind::SetCertificateStatus(_) => RecordKind::SetCertificateStatus,
            Kind::AuthoriseUse(_) => RecordKind::AuthoriseUse,
            Kind::UseCertificate(_) => RecordKind::UseCertificate,
            Kind::RegisterSeal(_) => RecordKind::RegisterSeal,
            Kind::RevokeSeal(_) => RecordKind::RevokeSeal,
            Kind::Stamp(_) => RecordKind::Stamp,
            Kind::ShareRequest(_) => RecordKind::ShareRequest,
            Kind::ShareDecision(_) => RecordKind::ShareDecision,
            Kind::ShareDelivery(_) => RecordKind::ShareDelivery,
            Kind::ShareReceipt(_) => RecordKind::ShareReceipt,
        }
    }

    /// The stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::RegisterOrg => "register_org",
            RecordKind::UpdateOrg => "update_org",
            RecordKind::RegisterKey => "register_key",
            RecordKind::RevokeKey => "revoke_key",
            RecordKind::Grant => "grant",
            RecordKind::RevokeGrant => "revoke_grant",
            RecordKind::ChangeValidators => "change_validators",
            RecordKind::RegisterPeer => "register_peer",
            RecordKind::RemovePeer => "remove_peer",
            RecordKind::IssueCertificate => "issue_certificate",
            RecordKind::RevokeCertificate => "revoke_certificate",
            RecordKind::SupersedeCertificate => "supersede_certificate",
            RecordKind::RegisterCertificateType => "register_certificate_type",
            RecordKind::SetCertificateStatus => "set_certificate_status",
            RecordKind::AuthoriseUse => "authorise_use",
            RecordKind::UseCertificate => "use_certificate",
            RecordKind::RegisterSeal => "register_seal",
            RecordKind::RevokeSeal => "revoke_seal",
            RecordKind::Stamp => "stamp",
            RecordKind::ShareRequest => "share_request",
            RecordKind::ShareDecision => "share_decision",
            RecordKind::ShareDelivery => "share_delivery",
            RecordKind::ShareReceipt => "share_receipt",
        }
    }
}
