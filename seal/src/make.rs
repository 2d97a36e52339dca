//! Building GB/T 38540 (V4) seals and signatures, so departments, the demo
//! and the tests can produce what the world's verifiers consume.

use yinzheng_crypto::{CryptoError, Sm2SigningKey};

use crate::OID_SM2_WITH_SM3;
use crate::asn1::{self, encode, sequence, tag};

/// What a seal says (GB/T 38540 §6.1).
#[derive(Debug, Clone)]
pub struct SealSpec<'a> {
    /// `esID`: the seal's code.
    pub es_id: &'a str,
    /// The seal's name.
    pub name: &'a str,
    /// Seal type (1 organisation, 2 person).
    pub seal_type: u8,
    /// Vendor id written in the header.
    pub vid: &'a str,
    /// Made at, Unix seconds.
    pub created: i64,
    /// Valid from, Unix seconds.
    pub valid_start: i64,
    /// Valid until, Unix seconds.
    pub valid_end: i64,
    /// Picture type ("PNG").
    pub picture_type: &'a str,
    /// Picture bytes.
    pub picture: &'a [u8],
    /// Picture width and height in millimetres.
    pub size_mm: (u32, u32),
    /// Certificates (DER) of the signers the seal admits (`certListType` 1).
    pub signer_certs: Vec<&'a [u8]>,
}

fn gtime(unix: i64) -> Vec<u8> {
    encode(
        tag::GENERALIZED_TIME,
        crate::time::generalized(unix).as_bytes(),
    )
}

/// A V4 `SESeal` signed by the seal maker (`maker_key` with `maker_cert`).
pub fn make_seal(
    spec: &SealSpec<'_>,
    maker_key: &Sm2SigningKey,
    maker_cert: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let header = sequence(&[
        &encode(tag::IA5_STRING, b"ES"),
        &asn1::integer(4),
        &encode(tag::IA5_STRING, spec.vid.as_bytes()),
    ]);
    let certs: Vec<Vec<u8>> = spec
        .signer_certs
        .iter()
        .map(|c| encode(tag::OCTET_STRING, c))
        .collect();
    let cert_refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
    let property = sequence(&[
        &asn1::integer(u64::from(spec.seal_type)),
        &encode(tag::UTF8_STRING, spec.name.as_bytes()),
        &asn1::integer(1),
        &sequence(&cert_refs),
        &gtime(spec.created),
        &gtime(spec.valid_start),
        &gtime(spec.valid_end),
    ]);
    let picture = sequence(&[
        &encode(tag::IA5_STRING, spec.picture_type.as_bytes()),
        &encode(tag::OCTET_STRING, spec.picture),
        &asn1::integer(u64::from(spec.size_mm.0)),
        &asn1::integer(u64::from(spec.size_mm.1)),
    ]);
    let info = sequence(&[
        &header,
        &encode(tag::IA5_STRING, spec.es_id.as_bytes()),
        &property,
        &picture,
    ]);
    // §6.2: the maker signs DER(SES_SealInfo).
    let sig = der_signature(maker_key, &info)?;
    Ok(sequence(&[
        &info,
        &encode(tag::OCTET_STRING, maker_cert),
        &asn1::oid(OID_SM2_WITH_SM3),
        &asn1::bit_string(&sig),
    ]))
}

/// A V4 `SES_Signature` over `data_hash` (SM3 of the signed original), by the
/// signer's key and certificate, with `seal` (a V4 `SESeal` DER).
pub fn make_signature(
    seal: &[u8],
    key: &Sm2SigningKey,
    cert: &[u8],
    time_info: i64,
    data_hash: &[u8; 32],
    property_info: &str,
) -> Result<Vec<u8>, CryptoError> {
    let tbs = sequence(&[
        &asn1::integer(4),
        seal,
        &gtime(time_info),
        &asn1::bit_string(data_hash),
        &encode(tag::IA5_STRING, property_info.as_bytes()),
    ]);
    let sig = der_signature(key, &tbs)?;
    Ok(sequence(&[
        &tbs,
        &encode(tag::OCTET_STRING, cert),
        &asn1::oid(OID_SM2_WITH_SM3),
        &asn1::bit_string(&sig),
    ]))
}

/// SM2 with SM3 under the default ID, DER-encoded as GB/T 35276 says.
fn der_signature(key: &Sm2SigningKey, msg: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let sig = key.sign(msg)?;
    sig.to_der().ok_or(CryptoError::SuiteMismatch {
        key: yinzheng_crypto::Suite::Sm,
        signature: sig.suite(),
    })
}
