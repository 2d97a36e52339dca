//! Field formats of national-form certificates and their kinds
//! (`docs/spec/ecert.md`): every check that needs no state.

use crate::ecert::{CheckKind, EcertId, check_type_code, parse_date, parse_ecert_id};
use crate::proto::{
    AuthoriseUse, EcertStatus, IssueCertificate, RegisterCertificateType, SetCertificateStatus,
    UseCertificate,
};
use crate::rejection::{RejectCode, Rejection, reject};

use super::fields::{digest, field, text};

/// Most holders one certificate names.
pub const MAX_HOLDERS: usize = 16;
/// Most required elements a type lists.
const MAX_REQUIRED: usize = 64;

/// The identifier parsed, or `BAD_IDENTIFIER`.
pub(crate) fn identifier(id: &str) -> Result<EcertId, Rejection> {
    parse_ecert_id(id)
        .map_err(|e| Rejection::new(RejectCode::BadIdentifier, format!("identifier {id:?}: {e}")))
}

/// An identifier whose check character is standard, or the legacy variant
/// when `imported`.
pub(crate) fn identifier_checked(id: &str, imported: bool) -> Result<EcertId, Rejection> {
    let p = identifier(id)?;
    match p.check_kind() {
        CheckKind::Standard => Ok(p),
        CheckKind::LegacyVariant if imported => Ok(p),
        CheckKind::LegacyVariant => reject(
            RejectCode::BadIdentifier,
            format!(
                "identifier {id:?}: check character {} follows the non-standard variant; \
                 a new certificate needs {} (an imported one is marked imported)",
                p.check, p.expected_check
            ),
        ),
        CheckKind::Wrong => reject(
            RejectCode::BadIdentifier,
            format!(
                "identifier {id:?}: wrong check character {}, expected {}",
                p.check, p.expected_check
            ),
        ),
    }
}

/// The national form of an `IssueCertificate` (called when `identifier` is set).
pub(super) fn national_issue_fields(c: &IssueCertificate) -> Result<(), Rejection> {
    let id = identifier_checked(&c.identifier, c.imported)?;
    if id.type_code != c.type_code || id.issuer != c.issuer {
        return reject(
            RejectCode::BadIdentifier,
            format!(
                "identifier {:?} names type {} and issuer {}; the record says {} and {}",
                c.identifier, id.type_code, id.issuer, c.type_code, c.issuer
            ),
        );
    }
    digest("metadata_digest", &c.metadata_digest, true)?;
    field(
        c.issued_date.len() == 8 && parse_date(&c.issued_date).is_some(),
        || format!("issued_date {:?} is not a YYYYMMDD date", c.issued_date),
    )?;
    field(c.co_holder_commitments.len() < MAX_HOLDERS, || {
        format!("more than {MAX_HOLDERS} holders")
    })?;
    for h in &c.co_holder_commitments {
        digest("co_holder_commitment", h, true)?;
    }
    Ok(())
}

/// A local-form certificate carries none of the national fields.
pub(super) fn local_issue_fields(c: &IssueCertificate) -> Result<(), Rejection> {
    field(
        c.issued_date.is_empty() && c.co_holder_commitments.is_empty() && !c.imported,
        || "issued_date, co-holders and imported belong to the national form".into(),
    )
}

pub(super) fn register_type_fields(t: &RegisterCertificateType) -> Result<(), Rejection> {
    check_type_code(&t.type_code).map_err(|e| {
        Rejection::new(
            RejectCode::InvalidField,
            format!("type_code {:?}: {e}", t.type_code),
        )
    })?;
    text("name", &t.name, true)?;
    text("holder_category", &t.holder_category, false)?;
    text("item_code", &t.item_code, false)?;
    field(t.required_elements.len() <= MAX_REQUIRED, || {
        format!("more than {MAX_REQUIRED} required elements")
    })?;
    for (i, e) in t.required_elements.iter().enumerate() {
        text("required element", e, true)?;
        field(!t.required_elements[..i].contains(e), || {
            format!("required element {e} listed twice")
        })?;
    }
    Ok(())
}

pub(super) fn set_status_fields(s: &SetCertificateStatus) -> Result<(), Rejection> {
    identifier(&s.identifier)?;
    field(
        EcertStatus::try_from(s.status).is_ok_and(|x| x != EcertStatus::Unspecified),
        || format!("status {} is not a national status code", s.status),
    )?;
    text("note", &s.note, false)
}

pub(super) fn authorise_fields(a: &AuthoriseUse) -> Result<(), Rejection> {
    identifier(&a.identifier)?;
    super::fields::org("user_org", &a.user_org)?;
    digest("holder_commitment", &a.holder_commitment, true)?;
    digest("code_digest", &a.code_digest, false)?;
    field(a.not_after_ms != 0 || a.max_uses != 0, || {
        "an authorisation is bounded in time, in count, or both".into()
    })
}

pub(super) fn use_fields(u: &UseCertificate) -> Result<(), Rejection> {
    identifier(&u.identifier)?;
    digest("authorisation", &u.authorisation, true)?;
    text("item_code", &u.item_code, true)?;
    text("business_no", &u.business_no, true)?;
    text("purpose", &u.purpose, true)?;
    digest("clerk_commitment", &u.clerk_commitment, false)?;
    digest("copy_digest", &u.copy_digest, false)?;
    field(u.copy_expires_ms == 0 || !u.copy_digest.is_empty(), || {
        "copy_expires_ms without a copy".into()
    })
}
