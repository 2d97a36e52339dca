//! `yinzheng cert …`: national-form e-certificates (`docs/spec/ecert.md`):
//! registering a type, issuing a sealed OFD and anchoring it, status codes,
//! authorised use and use records.

use std::path::Path;

use prost::Message;
use yinzheng_crypto::{Digest, Suite};
use yinzheng_ledger::ecert::{
    CertificateSpec, Metadata, SALT_ELEMENT, build_certificate, canonical_name, holder_commitment,
    parse_ecert_id,
};
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::proto::{self, CertificateTypeState, EcertStatus};
use yinzheng_seal::SealRequest;
use yinzheng_seal::ofd::document_custom_datas;

use super::seal::{cert_file, now, placement, sm2_key};
use super::submit::{sign, signing_key};
use crate::cli::{
    CertAuthoriseArgs, CertCmd, CertIssueArgs, CertStatusArgs, CertTypeArgs, CertUseArgs, KeyArgs,
    NodeArgs, StatusArg,
};
use crate::{ClientError, Exit, check, remote};

const DAY_MS: u64 = 24 * 3600 * 1000;

/// Run a `cert` subcommand.
pub fn run(cmd: CertCmd) -> Result<Exit, ClientError> {
    match cmd {
        CertCmd::Type(a) => register_type(a),
        CertCmd::Issue(a) => issue(a),
        CertCmd::Status(a) => set_status(a),
        CertCmd::Authorise(a) => authorise(a),
        CertCmd::Use(a) => use_cert(a),
        CertCmd::Uses(a) => super::ecert_uses::list(a),
    }
}

/// Sign `kind`, submit it and wait for its commit; the record id.
fn anchor(to: &NodeArgs, signer: &KeyArgs, kind: Kind) -> Result<Digest, ClientError> {
    let genesis = check::genesis_or_trusted(to.genesis.as_deref())?;
    let envelope = sign(&genesis, &signing_key(signer)?, kind)?;
    let r = remote::submit(&to.node, &envelope, true)?;
    let id = Digest(
        r.record_id
            .as_slice()
            .try_into()
            .map_err(|_| ClientError::Usage("the node answered no record id".into()))?,
    );
    println!("committed {} at height {}", id.to_hex(), r.height);
    Ok(id)
}

fn register_type(a: CertTypeArgs) -> Result<Exit, ClientError> {
    let required = a
        .required
        .iter()
        .map(|e| canonical_name(e).to_owned())
        .collect();
    let kind = Kind::RegisterCertificateType(proto::RegisterCertificateType {
        type_code: a.type_code,
        name: a.name,
        required_elements: required,
        holder_category: a.holder_category,
        item_code: a.item_code,
    });
    anchor(&a.to, &a.signer, kind)?;
    Ok(Exit::Valid)
}

/// `name = value` lines, in order; `#` comments and blank lines skipped.
fn metadata_lines(path: &Path) -> Result<Vec<(String, String)>, ClientError> {
    let text = String::from_utf8(check::read(path)?)
        .map_err(|_| ClientError::Usage(format!("{}: not UTF-8", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) = line.split_once('=').ok_or_else(|| {
            ClientError::Usage(format!(
                "{}:{}: expected `name = value`",
                path.display(),
                i + 1
            ))
        })?;
        out.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    Ok(out)
}

fn usage(e: impl std::fmt::Display) -> ClientError {
    ClientError::Usage(e.to_string())
}

fn issue(a: CertIssueArgs) -> Result<Exit, ClientError> {
    let genesis = check::genesis_or_trusted(a.to.genesis.as_deref())?;
    let suite = genesis.params().map_err(|e| usage(e.0))?.suite;
    let entries = metadata_lines(&a.metadata)?;
    let type_code = entries
        .iter()
        .find(|(k, _)| canonical_name(k) == "certificateTypeCode")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| usage("the metadata has no certificateTypeCode"))?;
    // The type's own required elements, from the ledger.
    let type_state = remote::state(&a.to.node, &remote::Subject::CertType(type_code.clone()))
        .map_err(|e| usage(format!("certificate type {type_code}: {e}")))?;
    let ty = CertificateTypeState::decode(type_state.as_slice()).map_err(usage)?;
    let face = a.face.as_deref().map(check::read).transpose()?;
    let image = match &face {
        Some(b) if b.starts_with(b"\x89PNG\r\n\x1a\n") => Some((b.as_slice(), "PNG")),
        Some(b) if b.starts_with(&[0xff, 0xd8, 0xff]) => Some((b.as_slice(), "JPEG")),
        Some(_) => return Err(usage("--face must be a PNG or JPEG picture")),
        None => None,
    };
    let seal = check::read(&a.seal)?;
    let key = sm2_key(&a.seal_key)?;
    let cert = cert_file(&a.seal_cert)?;
    let mut salt_seed = [0u8; 32];
    getrandom::fill(&mut salt_seed).map_err(|e| usage(format!("randomness: {e}")))?;
    let built = build_certificate(CertificateSpec {
        entries,
        serial: a.serial.as_deref(),
        salt_seed,
        required: &ty.required_elements,
        face: image,
        region: &a.region,
        seal: SealRequest {
            seal: &seal,
            key: &key,
            cert: &cert,
            time: now(),
            boundary: placement(&a.at, &seal, &a.seal)?,
        },
        suite,
    })
    .map_err(|e| usage(format!("{}: {e}", a.metadata.display())))?;
    let identifier = built.issue.identifier.clone();
    // Write the file first: a certificate anchored but lost is worse than a
    // file whose anchoring failed and can be retried.
    std::fs::write(&a.out, &built.file).map_err(|e| ClientError::io(&a.out, e))?;
    anchor(&a.to, &a.signer, Kind::IssueCertificate(built.issue))?;
    println!("{identifier}");
    println!("{}", a.out.display());
    Ok(Exit::Valid)
}

fn status_code(s: StatusArg) -> EcertStatus {
    match s {
        StatusArg::Valid => EcertStatus::Valid,
        StatusArg::Suspended => EcertStatus::Suspended,
        StatusArg::Revoked => EcertStatus::Revoked,
        StatusArg::Cancelled => EcertStatus::Cancelled,
        StatusArg::Invalidated => EcertStatus::Invalidated,
        StatusArg::TransferredOut => EcertStatus::TransferredOut,
        StatusArg::Withdrawn => EcertStatus::Withdrawn,
        StatusArg::Other => EcertStatus::Other,
    }
}

fn set_status(a: CertStatusArgs) -> Result<Exit, ClientError> {
    let kind = Kind::SetCertificateStatus(proto::SetCertificateStatus {
        identifier: a.identifier,
        status: status_code(a.status) as i32,
        note: a.note,
    });
    anchor(&a.to, &a.signer, kind)?;
    Ok(Exit::Valid)
}

/// A certificate file's identifier and its holders' commitments
/// (recomputed from the metadata and salts it carries).
pub(super) fn certificate_holders(
    path: &Path,
    bytes: &[u8],
) -> Result<(String, Metadata, Vec<Digest>), ClientError> {
    let doc_err = |reason: String| ClientError::Document {
        path: path.display().to_string(),
        reason,
    };
    let entries = document_custom_datas(bytes).map_err(|e| doc_err(e.to_string()))?;
    let metadata = Metadata::from_entries(entries.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| doc_err(e.to_string()))?;
    let identifier = metadata
        .get("certificateIdentifier")
        .ok_or_else(|| doc_err("no certificateIdentifier: not a national e-certificate".into()))?
        .to_owned();
    let commitments = holder_commitments(&metadata).map_err(doc_err)?;
    Ok((identifier, metadata, commitments))
}

/// The holders' commitments recomputed from metadata and the salts it
/// carries, in holder order.
pub(super) fn holder_commitments(metadata: &Metadata) -> Result<Vec<Digest>, String> {
    let holders = metadata.holders().map_err(|e| e.to_string())?;
    let salts = metadata
        .salts()
        .filter(|s| s.len() == holders.len())
        .ok_or_else(|| format!("{SALT_ELEMENT} missing or not one salt per holder"))?;
    holders
        .iter()
        .zip(&salts)
        .map(|(h, s)| holder_commitment(s, &h.type_code, &h.code))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

fn authorise(a: CertAuthoriseArgs) -> Result<Exit, ClientError> {
    let bytes = check::read(&a.certificate)?;
    let (identifier, _, commitments) = certificate_holders(&a.certificate, &bytes)?;
    let holder = a
        .holder
        .checked_sub(1)
        .and_then(|i| commitments.get(i))
        .ok_or_else(|| {
            usage(format!(
                "the certificate has {} holder(s)",
                commitments.len()
            ))
        })?;
    let not_after_ms = match a.days {
        0 => 0,
        d => check::now_ms() + d * DAY_MS,
    };
    let kind = Kind::AuthoriseUse(proto::AuthoriseUse {
        identifier: identifier.clone(),
        user_org: a.user_org,
        holder_commitment: holder.0.to_vec(),
        not_after_ms,
        max_uses: a.max_uses,
        code_digest: a
            .code
            .map(|c| Suite::Sm.hash(c.as_bytes()).0.to_vec())
            .unwrap_or_default(),
    });
    let id = anchor(&a.to, &a.signer, kind)?;
    println!("authorisation {} for {identifier}", id.to_hex());
    Ok(Exit::Valid)
}

fn use_cert(a: CertUseArgs) -> Result<Exit, ClientError> {
    parse_ecert_id(&a.identifier).map_err(|e| usage(format!("identifier: {e}")))?;
    let auth = hex::decode(a.authorisation.trim())
        .ok()
        .filter(|b| b.len() == 32)
        .ok_or_else(|| usage("--authorisation is a record id: 64 hex digits"))?;
    let kind = Kind::UseCertificate(proto::UseCertificate {
        identifier: a.identifier,
        authorisation: auth,
        item_code: a.item_code,
        business_no: a.business_no,
        purpose: a.purpose,
        ..Default::default()
    });
    anchor(&a.to, &a.signer, kind)?;
    Ok(Exit::Valid)
}
