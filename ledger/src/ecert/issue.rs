//! Building a national-form e-certificate (`docs/spec/ecert.md` §5): the
//! metadata completed (identifier, holder salts), checked, written into a
//! one-page OFD with the face picture, sealed; and the `IssueCertificate`
//! that anchors it. Pure: the caller supplies the randomness and submits.

use yinzheng_crypto::Suite;
use yinzheng_seal::ofd::{DocSpec, compose};
use yinzheng_seal::{SealRequest, seal_ofd};

use super::{EcertId, HolderSalt, Metadata, SALT_ELEMENT, canonical_name, holder_commitment};
use crate::proto::IssueCertificate;

/// What a certificate is built from.
pub struct CertificateSpec<'a> {
    /// GB/T 36903 metadata, `(name, value)` in order, without the salts.
    pub entries: Vec<(String, String)>,
    /// 流水号 for a new identifier (version 001), when the metadata has none.
    pub serial: Option<&'a str>,
    /// 32 random bytes: each holder's salt is the first 16 bytes of
    /// `SM3(seed ‖ holder index as u32 BE)`.
    pub salt_seed: [u8; 32],
    /// The type's own required elements (from its catalogue entry).
    pub required: &'a [String],
    /// The face picture, `(bytes, "PNG" | "JPEG")`.
    pub face: Option<(&'a [u8], &'a str)>,
    /// 证照所属管辖属地编码.
    pub region: &'a str,
    /// The seal, the signer's key and certificate, time and place.
    pub seal: SealRequest<'a>,
    /// The chain's suite (the file digest is its hash).
    pub suite: Suite,
}

/// A built certificate.
#[derive(Debug, Clone)]
pub struct BuiltCertificate {
    /// The sealed OFD file.
    pub file: Vec<u8>,
    /// The record's payload that anchors it.
    pub issue: IssueCertificate,
    /// The metadata as written into the file.
    pub metadata: Metadata,
}

/// Why a certificate cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(pub String);

fn find(entries: &[(String, String)], name: &str) -> Option<String> {
    entries
        .iter()
        .find(|(k, _)| canonical_name(k) == name)
        .map(|(_, v)| v.trim().to_owned())
}

fn metadata(entries: &[(String, String)]) -> Result<Metadata, BuildError> {
    Metadata::from_entries(entries.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| BuildError(e.to_string()))
}

/// Build the certificate file and its issue record's payload.
pub fn build_certificate(spec: CertificateSpec<'_>) -> Result<BuiltCertificate, BuildError> {
    let mut entries = spec.entries;
    let need = |entries: &[(String, String)], name: &str| {
        find(entries, name).ok_or_else(|| BuildError(format!("the metadata has no {name}")))
    };
    let type_code = need(&entries, "certificateTypeCode")?;
    let issuer = need(&entries, "certificateIssuingAuthorityCode")?;
    let identifier = match (find(&entries, "certificateIdentifier"), spec.serial) {
        (Some(id), _) => id,
        (None, Some(serial)) => {
            let id = EcertId::new_standard(&type_code, &issuer, serial, 1)
                .map_err(|e| BuildError(format!("identifier: {e}")))?
                .to_text();
            entries.push(("certificateIdentifier".into(), id.clone()));
            id
        }
        (None, None) => {
            return Err(BuildError(
                "the metadata has no certificateIdentifier and no serial was given".into(),
            ));
        }
    };
    if find(&entries, SALT_ELEMENT).is_some() {
        return Err(BuildError(format!(
            "{SALT_ELEMENT} is written by the issuer, not given"
        )));
    }
    let holders = metadata(&entries)?
        .holders()
        .map_err(|e| BuildError(e.to_string()))?;
    let salts: Vec<HolderSalt> = (0..holders.len())
        .map(|i| HolderSalt::from_seed(&spec.salt_seed, u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    let salt_text: Vec<String> = salts.iter().map(HolderSalt::to_hex).collect();
    entries.push((SALT_ELEMENT.into(), salt_text.join(";")));
    let metadata = metadata(&entries)?;
    metadata
        .check_required(spec.required)
        .map_err(|e| BuildError(e.to_string()))?;
    let (valid_from_ms, valid_until_ms) =
        metadata.validity().map_err(|e| BuildError(e.to_string()))?;
    let issued_date = metadata
        .issued_date()
        .map_err(|e| BuildError(e.to_string()))?;
    let commitments = holders
        .iter()
        .zip(&salts)
        .map(|(h, s)| {
            holder_commitment(s, &h.type_code, &h.code).map_err(|e| BuildError(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let get = |n: &str| metadata.get(n).unwrap_or("").to_owned();
    let display = [
        format!("证照编号：{}", get("certificateNumber")),
        format!("持证主体：{}", get("certificateHolderName")),
        format!("颁发机构：{}", get("certificateIssuingAuthorityName")),
        format!("颁证日期：{}", get("certificateIssuedDate")),
        format!(
            "有效期：{} 至 {}",
            get("certificateEffectiveDate"),
            metadata.get("certificateExpiringDate").unwrap_or("长期")
        ),
        format!("证照标识：{identifier}"),
    ];
    let lines: Vec<&str> = display.iter().map(String::as_str).collect();
    let custom: Vec<(&str, &str)> = metadata
        .elements
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_str()))
        .collect();
    let title = get("certificateName");
    let doc = compose(&DocSpec {
        title: &title,
        lines: &lines,
        custom_datas: &custom,
        image: spec.face,
    })
    .map_err(|e| BuildError(e.to_string()))?;
    let file = seal_ofd(&doc, &spec.seal).map_err(|e| BuildError(e.to_string()))?;
    let issue = IssueCertificate {
        type_code,
        cert_no: get("certificateNumber"),
        issuer,
        holder_commitment: commitments[0].0.to_vec(),
        file_digest: spec.suite.hash(&file).0.to_vec(),
        valid_from_ms,
        valid_until_ms,
        metadata_digest: metadata.digest().0.to_vec(),
        region: spec.region.to_owned(),
        identifier,
        issued_date,
        co_holder_commitments: commitments[1..].iter().map(|d| d.0.to_vec()).collect(),
        imported: false,
        field_commitments: Vec::new(),
    };
    Ok(BuiltCertificate {
        file,
        issue,
        metadata,
    })
}
