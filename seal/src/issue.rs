//! SM2 X.509 certificates for seal makers and signers, built in Rust: for
//! tests, the demo and a department trying the tools before its CA issues
//! real ones. The encoding is plain DER as GB/T 20518 and RFC 5280 describe;
//! OpenSSL 3 reads and verifies what this writes (`tests/it/openssl.rs`).

use std::str::FromStr;

use der::Encode;
use x509_cert::name::Name;
use yinzheng_crypto::{CryptoError, Sm2SigningKey};

use crate::asn1::{self, encode, sequence, tag};
use crate::{OID_EC_PUBLIC_KEY, OID_SM2_CURVE, OID_SM2_WITH_SM3};

/// What a certificate says.
#[derive(Debug, Clone)]
pub struct CertSpec<'a> {
    /// Subject, RFC 4514 form (`CN=…,O=…,C=CN`).
    pub subject: &'a str,
    /// Serial number (positive).
    pub serial: u64,
    /// Start of validity, Unix seconds.
    pub not_before: i64,
    /// End of validity, Unix seconds.
    pub not_after: i64,
    /// A CA certificate (may sign certificates) or an end entity (signs seals
    /// and documents).
    pub ca: bool,
}

/// Why a certificate could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The subject is not an RFC 4514 name.
    #[error("subject {0:?} is not a distinguished name (e.g. CN=Example,O=Example,C=CN)")]
    Subject(String),
    /// The issuer certificate does not parse.
    #[error("issuer certificate: {0}")]
    Issuer(#[from] crate::ParseError),
    /// Signing failed.
    #[error("signing: {0}")]
    Crypto(#[from] CryptoError),
}

/// Issue a certificate for `subject_key`, signed by `signer`: the issuer's
/// key with `issuer_cert`, or the subject's own key for a self-signed
/// certificate when `issuer_cert` is None.
pub fn issue_cert(
    spec: &CertSpec<'_>,
    subject_key: &[u8; 65],
    signer: &Sm2SigningKey,
    issuer_cert: Option<&[u8]>,
) -> Result<Vec<u8>, IssueError> {
    let subject = Name::from_str(spec.subject)
        .ok()
        .and_then(|n| n.to_der().ok())
        .ok_or_else(|| IssueError::Subject(spec.subject.to_owned()))?;
    let issuer_name = match issuer_cert {
        Some(cert) => crate::CertInfo::parse(cert)?.subject_der,
        None => subject.clone(),
    };
    let alg = sequence(&[&asn1::oid(OID_SM2_WITH_SM3)]);
    let validity = sequence(&[&x509_time(spec.not_before), &x509_time(spec.not_after)]);
    let spki = sequence(&[
        &sequence(&[&asn1::oid(OID_EC_PUBLIC_KEY), &asn1::oid(OID_SM2_CURVE)]),
        &asn1::bit_string(subject_key),
    ]);
    let true_ = encode(tag::BOOLEAN, &[0xFF]);
    let basic = if spec.ca {
        sequence(&[&true_])
    } else {
        sequence(&[])
    };
    // keyCertSign|cRLSign for a CA; digitalSignature|nonRepudiation otherwise.
    let usage = if spec.ca {
        encode(tag::BIT_STRING, &[0x01, 0x06])
    } else {
        encode(tag::BIT_STRING, &[0x06, 0xC0])
    };
    let extensions = sequence(&[
        &sequence(&[
            &asn1::oid("2.5.29.19"),
            &true_,
            &encode(tag::OCTET_STRING, &basic),
        ]),
        &sequence(&[
            &asn1::oid("2.5.29.15"),
            &true_,
            &encode(tag::OCTET_STRING, &usage),
        ]),
    ]);
    let tbs = sequence(&[
        &encode(tag::CONTEXT_0, &asn1::integer(2)),
        &asn1::integer(spec.serial.max(1)),
        &alg,
        &issuer_name,
        &validity,
        &subject,
        &spki,
        &encode(0xA3, &extensions),
    ]);
    let sig = signer.sign(&tbs)?;
    let der_sig = sig.to_der().ok_or(CryptoError::SuiteMismatch {
        key: yinzheng_crypto::Suite::Sm,
        signature: sig.suite(),
    })?;
    Ok(sequence(&[&tbs, &alg, &asn1::bit_string(&der_sig)]))
}

/// UTCTime through 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
fn x509_time(unix: i64) -> Vec<u8> {
    let g = crate::time::generalized(unix);
    let year: i64 = g[..4].parse().unwrap_or(0);
    if (1950..2050).contains(&year) {
        encode(tag::UTC_TIME, &g.as_bytes()[2..])
    } else {
        encode(tag::GENERALIZED_TIME, g.as_bytes())
    }
}
