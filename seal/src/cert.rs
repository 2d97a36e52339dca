//! X.509 SM2 certificates of seal makers and signers (GB/T 20518).
//!
//! The structure is read with `x509-cert`; the `tbsCertificate` bytes that an
//! issuer's signature covers are taken as found in the file, never re-encoded.

use der::Decode;
use serde::Serialize;
use x509_cert::Certificate;
use yinzheng_crypto::{Digest, Suite};

use crate::asn1::{Tlv, tag};
use crate::sigvalue::{self, SignatureValue};
use crate::{OID_EC_PUBLIC_KEY, OID_SM2_CURVE, OID_SM2_WITH_SM3, ParseError};

/// What a verifier needs from a certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertInfo {
    /// Subject, RFC 4514 form.
    pub subject: String,
    /// Issuer, RFC 4514 form.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Start of validity, Unix seconds.
    pub not_before: i64,
    /// End of validity, Unix seconds.
    pub not_after: i64,
    /// The SM2 public key `04‖X‖Y`, hex; None for another algorithm.
    pub sm2_public_key: Option<String>,
    /// SM3 of the whole certificate DER, hex (how seals and the ledger name it).
    pub sm3: String,
    #[serde(skip)]
    pub(crate) key: Option<[u8; 65]>,
    #[serde(skip)]
    pub(crate) tbs_raw: Vec<u8>,
    #[serde(skip)]
    pub(crate) issuer_der: Vec<u8>,
    #[serde(skip)]
    pub(crate) subject_der: Vec<u8>,
    #[serde(skip)]
    pub(crate) sig_alg: String,
    #[serde(skip)]
    pub(crate) signature: Vec<u8>,
    #[serde(skip)]
    pub(crate) raw: Vec<u8>,
}

impl CertInfo {
    /// Parse a DER certificate.
    pub fn parse(raw: &[u8]) -> Result<CertInfo, ParseError> {
        let cert = Certificate::from_der(raw)
            .map_err(|_| ParseError::new("certificate", "not an X.509 certificate"))?;
        // The signed part exactly as found.
        let outer = Tlv::parse_whole(raw, "certificate")?.expect(tag::SEQUENCE, "certificate")?;
        let tbs_raw = outer
            .children()
            .expect(tag::SEQUENCE, "tbsCertificate")?
            .raw
            .to_vec();
        let tbs = cert.tbs_certificate();
        let spki = tbs.subject_public_key_info();
        let is_sm2 = spki.algorithm.oid.to_string() == OID_EC_PUBLIC_KEY
            && spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
                .is_some_and(|c| c.to_string() == OID_SM2_CURVE);
        let key = if is_sm2 {
            spki.subject_public_key
                .as_bytes()
                .and_then(|b| <[u8; 65]>::try_from(b).ok())
                .filter(|k| k[0] == 0x04)
        } else {
            None
        };
        let der_of = |n: &x509_cert::name::Name| der::Encode::to_der(n).unwrap_or_default();
        Ok(CertInfo {
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            serial: hex::encode(tbs.serial_number().as_bytes()),
            not_before: unix(tbs.validity().not_before),
            not_after: unix(tbs.validity().not_after),
            sm2_public_key: key.map(hex::encode),
            sm3: Suite::Sm.hash(raw).to_hex(),
            key,
            tbs_raw,
            issuer_der: der_of(tbs.issuer()),
            subject_der: der_of(tbs.subject()),
            sig_alg: cert.signature_algorithm().oid.to_string(),
            signature: cert.signature().raw_bytes().to_vec(),
            raw: raw.to_vec(),
        })
    }

    /// SM3 of the certificate DER.
    pub fn digest(&self) -> Digest {
        Suite::Sm.hash(&self.raw)
    }

    /// The certificate DER.
    pub fn der(&self) -> &[u8] {
        &self.raw
    }

    /// Whether `t` (Unix seconds) lies in the validity window.
    pub fn valid_at(&self, t: i64) -> bool {
        self.not_before <= t && t <= self.not_after
    }

    /// Whether `issuer` signed this certificate (SM2 with SM3, default ID,
    /// over the `tbsCertificate` bytes as found), and names it as issuer.
    pub fn issued_by(&self, issuer: &CertInfo) -> bool {
        if self.issuer_der != issuer.subject_der || self.sig_alg != OID_SM2_WITH_SM3 {
            return false;
        }
        let Some(key) = issuer.key else {
            return false;
        };
        match sigvalue::decode(0, &self.signature) {
            Ok(SignatureValue { signature, .. }) => {
                sigvalue::verify(&key, &self.tbs_raw, &signature)
            }
            Err(_) => false,
        }
    }

    /// Whether the certificate names itself as issuer.
    pub fn self_issued(&self) -> bool {
        self.issuer_der == self.subject_der
    }
}

fn unix(t: x509_cert::time::Time) -> i64 {
    i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}
