//! Field formats per record kind: every check that needs no state.

use yinzheng_crypto::{DEFAULT_DISTID, Digest, Suite, VerifyingKey};

use super::MAX_TEXT;

use crate::codes::{validate_credit_code, validate_division};
use crate::proto::{RecordBody, record_body::Kind};
use crate::rejection::{RejectCode, Rejection, reject};

pub(super) fn field(ok: bool, what: impl FnOnce() -> String) -> Result<(), Rejection> {
    if ok {
        Ok(())
    } else {
        reject(RejectCode::InvalidField, what())
    }
}

pub(super) fn text(name: &str, v: &str, required: bool) -> Result<(), Rejection> {
    field(v.len() <= MAX_TEXT, || {
        format!("{name} is longer than {MAX_TEXT} bytes")
    })?;
    field(!required || !v.is_empty(), || format!("{name} is empty"))?;
    field(!v.chars().any(char::is_control), || {
        format!("{name} has control characters")
    })
}

pub(super) fn org(name: &str, v: &str) -> Result<(), Rejection> {
    validate_credit_code(v).map_err(|e| {
        Rejection::new(
            RejectCode::InvalidField,
            format!("{name} {v:?} is not a credit code: {e:?}"),
        )
    })
}

fn division(name: &str, v: &str) -> Result<(), Rejection> {
    field(validate_division(v), || {
        format!("{name} {v:?} is not a 6-digit division code")
    })
}

pub(super) fn digest(name: &str, v: &[u8], required: bool) -> Result<(), Rejection> {
    field(
        v.len() == Digest::LEN || (!required && v.is_empty()),
        || format!("{name} must be {} bytes, is {}", Digest::LEN, v.len()),
    )
}

fn window(from: u64, until: u64) -> Result<(), Rejection> {
    field(until == 0 || until > from, || {
        "validity window ends before it starts".into()
    })
}

fn public_key(suite: Suite, name: &str, v: &[u8]) -> Result<(), Rejection> {
    match VerifyingKey::from_bytes(suite, v) {
        Ok(k) if k.to_bytes() == v => Ok(()),
        Ok(_) => reject(
            RejectCode::InvalidField,
            format!("{name} is not in canonical form"),
        ),
        Err(e) => reject(RejectCode::InvalidField, format!("{name}: {e}")),
    }
}

/// A network identity: an Ed25519 public key (libp2p's node keys), whatever
/// the consortium's signing suite.
fn peer_key(v: &[u8]) -> Result<(), Rejection> {
    public_key(Suite::Intl, "peer_public_key", v)
}

fn issue_fields(c: &crate::proto::IssueCertificate) -> Result<(), Rejection> {
    text("type_code", &c.type_code, true)?;
    text("cert_no", &c.cert_no, true)?;
    org("issuer", &c.issuer)?;
    digest("holder_commitment", &c.holder_commitment, true)?;
    digest("file_digest", &c.file_digest, true)?;
    digest("metadata_digest", &c.metadata_digest, false)?;
    division("region", &c.region)?;
    window(c.valid_from_ms, c.valid_until_ms)?;
    field(
        c.field_commitments.len() <= crate::holder::MAX_FIELDS,
        || format!("more than {} display fields", crate::holder::MAX_FIELDS),
    )?;
    for f in &c.field_commitments {
        digest("field_commitment", f, true)?;
    }
    if c.identifier.is_empty() {
        super::ecert::local_issue_fields(c)
    } else {
        super::ecert::national_issue_fields(c)
    }
}

/// Field formats per kind (no state needed).
pub(super) fn check_fields(suite: Suite, body: &RecordBody) -> Result<(), Rejection> {
    text("chain_id", &body.chain_id, true)?;
    let Some(kind) = &body.kind else {
        return reject(RejectCode::Malformed, "record body has no kind");
    };
    match kind {
        Kind::RegisterOrg(o) => {
            org("credit_code", &o.credit_code)?;
            text("name", &o.name, true)?;
            division("division", &o.division)?;
            org("parent", &o.parent)?;
            field((2..=4).contains(&o.level), || {
                "level must be province, city or district".into()
            })
        }
        Kind::UpdateOrg(o) => {
            org("credit_code", &o.credit_code)?;
            text("name", &o.name, false)
        }
        Kind::RegisterKey(k) => {
            org("org", &k.org)?;
            public_key(suite, "public_key", &k.public_key)?;
            text("distid", &k.distid, false)?;
            field(k.distid != DEFAULT_DISTID, || {
                "distid: the default ID is written as empty".into()
            })?;
            field(k.distid.is_empty() || suite == Suite::Sm, || {
                "distid: this suite's keys take no distinguishing ID".into()
            })?;
            field((1..=2).contains(&k.role), || {
                "role must be admin or operator".into()
            })?;
            window(k.not_before_ms, k.not_after_ms)
        }
        Kind::RevokeKey(k) => {
            public_key(suite, "public_key", &k.public_key)?;
            text("reason", &k.reason, false)
        }
        Kind::RegisterPeer(p) => {
            org("org", &p.org)?;
            peer_key(&p.peer_public_key)?;
            field((1..=2).contains(&p.role), || {
                "role must be observer or member".into()
            })
        }
        Kind::RemovePeer(p) => {
            peer_key(&p.peer_public_key)?;
            text("reason", &p.reason, false)
        }
        Kind::Grant(g) => {
            org("org", &g.org)?;
            field((1..=4).contains(&g.kind), || {
                "authority kind must be certificate, seal, share approval or use authorisation"
                    .into()
            })?;
            // Certificate and share-approval grants name what they cover; seal
            // grants do not; a use-authorisation grant may (empty: every type).
            text("scope", &g.scope, g.kind == 1 || g.kind == 3)?;
            field(g.kind != 2 || g.scope.is_empty(), || {
                "a seal grant has no scope".into()
            })?;
            division("region", &g.region)
        }
        Kind::RevokeGrant(g) => {
            org("org", &g.org)?;
            text("scope", &g.scope, false)?;
            division("region", &g.region)
        }
        Kind::ChangeValidators(c) => {
            field(
                !c.validators.is_empty() && c.validators.len() <= 256,
                || "a validator set has 1 to 256 members".into(),
            )?;
            for (i, v) in c.validators.iter().enumerate() {
                public_key(suite, "validator key", &v.public_key)?;
                field(
                    !c.validators[..i]
                        .iter()
                        .any(|w| w.public_key == v.public_key),
                    || format!("validator {i}: key repeated in the set"),
                )?;
                org("validator org", &v.org)?;
                field(v.power > 0, || "validator power must be positive".into())?;
            }
            field(
                crate::block::total_power(c.validators.iter().map(|v| v.power)).is_some(),
                || {
                    format!(
                        "a validator set's total power is at most {}",
                        crate::block::MAX_TOTAL_POWER
                    )
                },
            )
        }
        Kind::IssueCertificate(c) => issue_fields(c),
        Kind::RevokeCertificate(c) => {
            text("type_code", &c.type_code, true)?;
            text("cert_no", &c.cert_no, true)?;
            org("issuer", &c.issuer)
        }
        Kind::SupersedeCertificate(c) => {
            let Some(r) = &c.replacement else {
                return reject(RejectCode::InvalidField, "supersede without a replacement");
            };
            if !c.old_identifier.is_empty() || !r.identifier.is_empty() {
                field(c.type_code.is_empty() && c.old_cert_no.is_empty(), || {
                    "a national supersession names the old certificate by identifier".into()
                })?;
                let old = super::ecert::identifier(&c.old_identifier)?;
                field(!r.identifier.is_empty(), || {
                    "a national certificate's replacement is national too".into()
                })?;
                field(r.identifier != c.old_identifier, || {
                    "replacement reuses the old identifier".into()
                })?;
                field(old.type_code == r.type_code, || {
                    "replacement has another type".into()
                })?;
                return issue_fields(r);
            }
            text("type_code", &c.type_code, true)?;
            text("old_cert_no", &c.old_cert_no, true)?;
            field(r.type_code == c.type_code, || {
                "replacement has another type".into()
            })?;
            field(r.cert_no != c.old_cert_no, || {
                "replacement reuses the old number".into()
            })?;
            issue_fields(r)
        }
        Kind::RegisterCertificateType(t) => super::ecert::register_type_fields(t),
        Kind::SetCertificateStatus(s) => super::ecert::set_status_fields(s),
        Kind::AuthoriseUse(a) => super::ecert::authorise_fields(a),
        Kind::UseCertificate(u) => super::ecert::use_fields(u),
        Kind::RegisterSeal(s) => {
            text("seal_id", &s.seal_id, true)?;
            org("owner", &s.owner)?;
            text("name", &s.name, true)?;
            digest("image_digest", &s.image_digest, true)?;
            if s.ses_seal.is_empty() {
                public_key(suite, "seal_public_key", &s.seal_public_key)?;
            } else {
                super::national::check_seal_fields(s)?;
            }
            window(s.valid_from_ms, s.valid_until_ms)
        }
        Kind::RevokeSeal(s) => text("seal_id", &s.seal_id, true),
        Kind::Stamp(s) => {
            text("seal_id", &s.seal_id, true)?;
            digest("document_digest", &s.document_digest, true)?;
            if s.ses_signature.is_empty() {
                Ok(())
            } else {
                super::national::check_stamp_fields(s)
            }
        }
        Kind::ShareRequest(r) => {
            text("request_id", &r.request_id, true)?;
            org("requester", &r.requester)?;
            org("provider", &r.provider)?;
            org("approver", &r.approver)?;
            field(r.approver != r.requester, || {
                "a requester may not approve its own request".into()
            })?;
            text("data_item", &r.data_item, true)?;
            text("legal_basis", &r.legal_basis, true)?;
            digest("holder_commitment", &r.holder_commitment, false)
        }
        Kind::ShareDecision(d) => {
            text("request_id", &d.request_id, true)?;
            text("reason", &d.reason, false)
        }
        Kind::ShareDelivery(d) => {
            text("request_id", &d.request_id, true)?;
            digest("payload_digest", &d.payload_digest, true)
        }
        Kind::ShareReceipt(r) => {
            text("request_id", &r.request_id, true)?;
            digest("payload_digest", &r.payload_digest, true)
        }
    }
}
