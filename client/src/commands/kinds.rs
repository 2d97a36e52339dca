//! The record a `submit` / `record` subcommand describes, and its signer.

use std::path::Path;

use yinzheng_crypto::{Suite, VerifyingKey};
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::proto::{
    self, AuthorityKind, IssueCertificate, KeyRole, OrgLevel, RevokeCertificate,
};

use yinzheng_ledger::holder::{
    HolderError, HolderSalt, MAX_FIELD_NAME, MAX_FIELD_VALUE, MAX_FIELDS, field_commitment,
    holder_commitment,
};

use crate::cli::{AuthorityArg, IssueArgs, KeyArgs, LevelArg, PeerRoleArg, RoleArg, SubmitCmd};
use crate::{ClientError, check};

const DAY_MS: u64 = 24 * 3600 * 1000;

/// The signer's key arguments and the record's kind.
pub fn describe(suite: Suite, what: SubmitCmd, now: u64) -> Result<(KeyArgs, Kind), ClientError> {
    Ok(match what {
        SubmitCmd::Envelope(_) => {
            return Err(ClientError::Usage(
                "an envelope is submitted as it is".into(),
            ));
        }
        SubmitCmd::Issue(i) => {
            let c = issue(suite, &i, now)?;
            (i.signer, Kind::IssueCertificate(c))
        }
        SubmitCmd::Supersede(s) => {
            let c = issue(suite, &s.replacement, now)?;
            let kind = Kind::SupersedeCertificate(proto::SupersedeCertificate {
                type_code: c.type_code.clone(),
                old_cert_no: s.old_cert_no,
                replacement: Some(c),
                ..Default::default()
            });
            (s.replacement.signer, kind)
        }
        SubmitCmd::Revoke(r) => (
            r.signer,
            Kind::RevokeCertificate(RevokeCertificate {
                type_code: r.type_code,
                cert_no: r.cert_no,
                reason: r.reason,
                issuer: r.issuer,
            }),
        ),
        SubmitCmd::Stamp(s) => {
            let doc = check::read(&s.file)?;
            let kind = Kind::Stamp(proto::Stamp {
                seal_id: s.seal_id,
                document_digest: suite.hash(&doc).0.to_vec(),
                ses_signature: Vec::new(),
            });
            (s.signer, kind)
        }
        SubmitCmd::RegisterOrg(o) => {
            let level = match o.level {
                LevelArg::National => OrgLevel::National,
                LevelArg::Province => OrgLevel::Province,
                LevelArg::City => OrgLevel::City,
                LevelArg::District => OrgLevel::District,
            };
            let kind = Kind::RegisterOrg(proto::RegisterOrg {
                credit_code: o.credit_code,
                name: o.name,
                level: level as i32,
                division: o.division,
                parent: o.parent,
            });
            (o.signer, kind)
        }
        SubmitCmd::UpdateOrg(o) => (
            o.signer,
            Kind::UpdateOrg(proto::UpdateOrg {
                credit_code: o.credit_code,
                name: o.name,
                deactivate: o.deactivate,
                reactivate: o.reactivate,
            }),
        ),
        SubmitCmd::RegisterKey(k) => {
            let role = match k.role {
                RoleArg::Admin => KeyRole::Admin,
                RoleArg::Operator => KeyRole::Operator,
            };
            let kind = Kind::RegisterKey(proto::RegisterKey {
                org: k.org,
                public_key: public_key(suite, &k.public_key)?,
                distid: k.distid,
                role: role as i32,
                not_before_ms: k.not_before_ms,
                not_after_ms: k.not_after_ms,
            });
            (k.signer, kind)
        }
        SubmitCmd::RevokeKey(k) => {
            let kind = Kind::RevokeKey(proto::RevokeKey {
                public_key: public_key(suite, &k.public_key)?,
                reason: k.reason,
            });
            (k.signer, kind)
        }
        SubmitCmd::RegisterPeer(p) => {
            let role = match p.role {
                PeerRoleArg::Observer => proto::PeerRole::Observer,
                PeerRoleArg::Member => proto::PeerRole::Member,
            };
            let kind = Kind::RegisterPeer(proto::RegisterPeer {
                org: p.org,
                peer_public_key: public_key(Suite::Intl, &p.peer_key)?,
                role: role as i32,
            });
            (p.signer, kind)
        }
        SubmitCmd::RemovePeer(p) => {
            let kind = Kind::RemovePeer(proto::RemovePeer {
                peer_public_key: public_key(Suite::Intl, &p.peer_key)?,
                reason: p.reason,
            });
            (p.signer, kind)
        }
        SubmitCmd::Grant(g) => {
            let kind = Kind::Grant(proto::GrantAuthority {
                org: g.org,
                kind: authority(g.kind) as i32,
                scope: g.scope,
                region: g.region,
            });
            (g.signer, kind)
        }
        SubmitCmd::RevokeGrant(g) => {
            let kind = Kind::RevokeGrant(proto::RevokeGrant {
                org: g.org,
                kind: authority(g.kind) as i32,
                scope: g.scope,
                region: g.region,
            });
            (g.signer, kind)
        }
        SubmitCmd::ChangeValidators(c) => {
            let validators = c
                .validators
                .iter()
                .map(|v| validator(suite, v))
                .collect::<Result<_, _>>()?;
            let kind = Kind::ChangeValidators(proto::ChangeValidators { validators });
            (c.signer, kind)
        }
        SubmitCmd::RegisterSeal(s) => {
            let image = check::read(&s.image)?;
            let kind = Kind::RegisterSeal(proto::RegisterSeal {
                seal_id: s.seal_id,
                owner: s.owner,
                seal_type: s.seal_type,
                name: s.name,
                image_digest: suite.hash(&image).0.to_vec(),
                seal_public_key: public_key(suite, &s.seal_public_key)?,
                valid_from_ms: now,
                valid_until_ms: if s.valid_days == 0 {
                    0
                } else {
                    now + s.valid_days * DAY_MS
                },
                ses_seal: Vec::new(),
            });
            (s.signer, kind)
        }
        SubmitCmd::RegisterNationalSeal(s) => {
            let der = check::read(&s.seal)?;
            let r = yinzheng_ledger::national_seal_registration(&der, &s.owner)
                .map_err(|e| ClientError::Usage(format!("{}: {e}", s.seal.display())))?;
            (s.signer, Kind::RegisterSeal(r))
        }
        SubmitCmd::AnchorStamping(a) => {
            let doc = check::read(&a.document)?;
            let ses = stamping(&a.document, &doc, a.signature.as_deref())?;
            let st = yinzheng_ledger::national_stamping(&ses)
                .map_err(|e| ClientError::Usage(format!("{}: {e}", a.document.display())))?;
            (a.signer, Kind::Stamp(st))
        }
        SubmitCmd::RevokeSeal(s) => (
            s.signer,
            Kind::RevokeSeal(proto::RevokeSeal {
                seal_id: s.seal_id,
                reason: s.reason,
            }),
        ),
        SubmitCmd::ShareRequest(r) => {
            let holder_commitment = match &r.holder {
                Some(h) => commitment(r.salt.as_deref(), &r.holder_type, h)?,
                None => Vec::new(),
            };
            let kind = Kind::ShareRequest(proto::ShareRequest {
                request_id: r.request_id,
                requester: r.requester,
                provider: r.provider,
                approver: r.approver,
                data_item: r.data_item,
                legal_basis: r.legal_basis,
                holder_commitment,
            });
            (r.signer, kind)
        }
        SubmitCmd::ShareDecision(d) => (
            d.signer,
            Kind::ShareDecision(proto::ShareDecision {
                request_id: d.request_id,
                approved: d.approve,
                reason: d.reason,
            }),
        ),
        SubmitCmd::ShareDelivery(d) => {
            let data = check::read(&d.file)?;
            let kind = Kind::ShareDelivery(proto::ShareDelivery {
                request_id: d.request_id,
                payload_digest: suite.hash(&data).0.to_vec(),
                item_count: d.item_count,
            });
            (d.signer, kind)
        }
        SubmitCmd::ShareReceipt(r) => {
            let data = check::read(&r.file)?;
            let kind = Kind::ShareReceipt(proto::ShareReceipt {
                request_id: r.request_id,
                payload_digest: suite.hash(&data).0.to_vec(),
            });
            (r.signer, kind)
        }
    })
}

fn issue(suite: Suite, i: &IssueArgs, now: u64) -> Result<IssueCertificate, ClientError> {
    let doc = check::read(&i.file)?;
    Ok(IssueCertificate {
        type_code: i.type_code.clone(),
        cert_no: i.cert_no.clone(),
        issuer: i.issuer.clone(),
        holder_commitment: commitment(i.salt.as_deref(), &i.holder_type, &i.holder)?,
        field_commitments: display_fields(i)?,
        file_digest: suite.hash(&doc).0.to_vec(),
        valid_from_ms: now,
        valid_until_ms: now + i.valid_days * DAY_MS,
        metadata_digest: Vec::new(),
        region: i.region.clone(),
        ..Default::default()
    })
}

/// The display fields' commitments, each under a fresh salt; the openings
/// are written for the holder (`--openings`, JSON: index, name, value, salt).
fn display_fields(i: &IssueArgs) -> Result<Vec<Vec<u8>>, ClientError> {
    if i.fields.len() > MAX_FIELDS {
        return Err(ClientError::Usage(format!("at most {MAX_FIELDS} --field")));
    }
    let mut commitments = Vec::new();
    let mut openings = Vec::new();
    for (n, f) in i.fields.iter().enumerate() {
        let (name, value) = f
            .split_once('=')
            .filter(|(k, v)| {
                !k.is_empty() && k.len() <= MAX_FIELD_NAME && v.len() <= MAX_FIELD_VALUE
            })
            .ok_or_else(|| ClientError::Usage(format!("--field {f:?}: NAME=VALUE, bounded")))?;
        let salt = HolderSalt::random().map_err(|e| ClientError::Usage(e.to_string()))?;
        commitments.push(field_commitment(&salt, name, value).0.to_vec());
        openings.push(serde_json::json!({
            "index": n, "name": name, "value": value, "salt": salt.to_hex(),
        }));
    }
    if let Some(path) = &i.openings {
        let text = serde_json::to_string_pretty(&openings)?;
        std::fs::write(path, text).map_err(|e| ClientError::io(path, e))?;
    }
    Ok(commitments)
}

/// A holder's commitment (`yinzheng_ledger::holder`): with the salt given, or
/// a fresh one, printed so the issuer can hand it to the holder.
fn commitment(salt: Option<&str>, type_code: &str, holder: &str) -> Result<Vec<u8>, ClientError> {
    let usage = |e: HolderError| ClientError::Usage(format!("holder: {e}"));
    let salt = match salt {
        Some(s) => HolderSalt::from_hex(s).map_err(usage)?,
        None => {
            let s = HolderSalt::random().map_err(usage)?;
            eprintln!(
                "holder salt {} (give it to the holder with the certificate: it is how they prove it is theirs)",
                s.to_hex()
            );
            s
        }
    };
    Ok(holder_commitment(&salt, type_code, holder)
        .map_err(usage)?
        .0
        .to_vec())
}

fn authority(a: AuthorityArg) -> AuthorityKind {
    match a {
        AuthorityArg::Certificate => AuthorityKind::Certificate,
        AuthorityArg::Seal => AuthorityKind::Seal,
        AuthorityArg::ShareApproval => AuthorityKind::ShareApproval,
        AuthorityArg::UseAuthorisation => AuthorityKind::UseAuthorisation,
    }
}

/// A public key given as a PEM file (SPKI) or in hex.
fn public_key(suite: Suite, given: &str) -> Result<Vec<u8>, ClientError> {
    let key = if Path::new(given).is_file() {
        let pem = String::from_utf8(check::read(Path::new(given))?)
            .map_err(|_| ClientError::Usage(format!("{given}: not a PEM file")))?;
        VerifyingKey::from_pem(&pem)?
    } else {
        let bytes = hex::decode(given).map_err(|_| {
            ClientError::Usage(format!("{given:?}: neither a public-key file nor hex"))
        })?;
        VerifyingKey::from_bytes(suite, &bytes)?
    };
    Ok(key.to_bytes())
}

/// `ORG=KEY[:POWER]`.
fn validator(suite: Suite, given: &str) -> Result<proto::Validator, ClientError> {
    let usage = || {
        ClientError::Usage(format!(
            "--validator {given:?}: use ORG=KEY or ORG=KEY:POWER"
        ))
    };
    let (org, rest) = given.split_once('=').ok_or_else(usage)?;
    let (key, power) = match rest.rsplit_once(':') {
        Some((k, p)) => (k, p.parse::<u64>().map_err(|_| usage())?),
        None => (rest, 1),
    };
    Ok(proto::Validator {
        public_key: public_key(suite, key)?,
        power,
        org: org.to_owned(),
    })
}

/// The `SES_Signature` of one e-seal stamping in a sealed OFD document.
fn stamping(path: &std::path::Path, doc: &[u8], id: Option<&str>) -> Result<Vec<u8>, ClientError> {
    let report =
        yinzheng_seal::verify_ofd(doc, &yinzheng_seal::TrustAnchors::none()).map_err(|e| {
            ClientError::Document {
                path: path.display().to_string(),
                reason: e.to_string(),
            }
        })?;
    let seals: Vec<_> = report
        .signatures
        .iter()
        .filter(|s| s.kind == yinzheng_seal::EntryKind::Seal && id.is_none_or(|i| i == s.id))
        .collect();
    match seals.as_slice() {
        [one] => Ok(one.signed_value.clone()),
        [] => Err(ClientError::Usage(format!(
            "{}: no e-seal stamping{}",
            path.display(),
            id.map(|i| format!(" {i}")).unwrap_or_default()
        ))),
        many => Err(ClientError::Usage(format!(
            "{}: {} stampings ({}); choose one with --signature",
            path.display(),
            many.len(),
            many.iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
