//! The fields of a record a person reads in a list (an audit page, a log):
//! names and values as text, digests in hex. Not a serialisation: the record
//! itself is what is signed and proven.

use crate::proto::record_body::Kind;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Named fields of a record's payload, in a fixed order; empty fields left
/// out.
pub fn summary(kind: &Kind) -> Vec<(&'static str, String)> {
    let mut v: Vec<(&'static str, String)> = match kind {
        Kind::IssueCertificate(c) => vec![
            ("identifier", c.identifier.clone()),
            ("issuer", c.issuer.clone()),
            ("type_code", c.type_code.clone()),
            ("cert_no", c.cert_no.clone()),
            ("region", c.region.clone()),
            ("issued_date", c.issued_date.clone()),
            ("holder_commitment", hex(&c.holder_commitment)),
        ],
        Kind::SupersedeCertificate(s) => {
            let r = s.replacement.clone().unwrap_or_default();
            vec![
                ("old_identifier", s.old_identifier.clone()),
                ("old_cert_no", s.old_cert_no.clone()),
                ("identifier", r.identifier),
                ("issuer", r.issuer),
                ("type_code", s.type_code.clone()),
                ("cert_no", r.cert_no),
            ]
        }
        Kind::RevokeCertificate(c) => vec![
            ("issuer", c.issuer.clone()),
            ("type_code", c.type_code.clone()),
            ("cert_no", c.cert_no.clone()),
            ("reason", c.reason().as_str_name().to_owned()),
        ],
        Kind::SetCertificateStatus(s) => vec![
            ("identifier", s.identifier.clone()),
            ("status", s.status().as_str_name().to_owned()),
            ("note", s.note.clone()),
        ],
        Kind::AuthoriseUse(a) => vec![
            ("identifier", a.identifier.clone()),
            ("user_org", a.user_org.clone()),
            ("holder_commitment", hex(&a.holder_commitment)),
            ("max_uses", a.max_uses.to_string()),
            ("not_after_ms", a.not_after_ms.to_string()),
        ],
        Kind::UseCertificate(u) => vec![
            ("identifier", u.identifier.clone()),
            ("authorisation", hex(&u.authorisation)),
            ("item_code", u.item_code.clone()),
            ("business_no", u.business_no.clone()),
            ("purpose", u.purpose.clone()),
        ],
        Kind::RegisterSeal(s) => vec![
            ("seal_id", s.seal_id.clone()),
            ("owner", s.owner.clone()),
            ("name", s.name.clone()),
        ],
        Kind::RevokeSeal(s) => vec![
            ("seal_id", s.seal_id.clone()),
            ("reason", s.reason().as_str_name().to_owned()),
        ],
        Kind::Stamp(s) => vec![
            ("seal_id", s.seal_id.clone()),
            ("document_digest", hex(&s.document_digest)),
        ],
        Kind::ShareRequest(q) => vec![
            ("request_id", q.request_id.clone()),
            ("requester", q.requester.clone()),
            ("provider", q.provider.clone()),
            ("approver", q.approver.clone()),
            ("data_item", q.data_item.clone()),
            ("legal_basis", q.legal_basis.clone()),
            ("holder_commitment", hex(&q.holder_commitment)),
        ],
        Kind::ShareDecision(d) => vec![
            ("request_id", d.request_id.clone()),
            ("approved", d.approved.to_string()),
            ("reason", d.reason.clone()),
        ],
        Kind::ShareDelivery(d) => vec![
            ("request_id", d.request_id.clone()),
            ("payload_digest", hex(&d.payload_digest)),
            ("item_count", d.item_count.to_string()),
        ],
        Kind::ShareReceipt(d) => vec![
            ("request_id", d.request_id.clone()),
            ("payload_digest", hex(&d.payload_digest)),
        ],
        _ => Vec::new(),
    };
    v.retain(|(_, x)| !x.is_empty());
    v
}
