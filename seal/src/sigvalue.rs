//! Signature values as real seals write them (pitfall P2): DER
//! `SEQUENCE { r, s }` as GB/T 35276 says, raw 64-byte `r‖s`, either behind
//! a garbage "unused bits" octet, and a truncated DER that is reported as such.

use serde::Serialize;
use yinzheng_crypto::{Signature, Sm2VerifyingKey, Suite};

/// How a signature value was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SigEncoding {
    /// DER `SEQUENCE { r INTEGER, s INTEGER }` (the standard's form).
    Der,
    /// 64 raw bytes `r‖s`.
    Raw,
}

/// A decoded signature value.
#[derive(Debug, Clone, Copy)]
pub struct SignatureValue {
    /// The signature.
    pub signature: Signature,
    /// Its encoding.
    pub encoding: SigEncoding,
    /// A non-zero "unused bits" octet that was ignored.
    pub ignored_unused_bits: Option<u8>,
}

/// Why a signature value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigValueError {
    /// A DER signature shorter than its own length says (seen in the wild:
    /// the last byte of `s` dropped).
    #[error("truncated DER signature: {claimed} bytes claimed, {present} present")]
    TruncatedDer {
        /// Length the DER header claims.
        claimed: usize,
        /// Bytes present.
        present: usize,
    },
    /// Neither DER nor 64 raw bytes.
    #[error("signature value is neither DER nor 64 raw bytes ({len} bytes)")]
    Unrecognised {
        /// Length of the value.
        len: usize,
    },
    /// DER or raw, but r or s out of range.
    #[error("signature value out of range: {0}")]
    OutOfRange(String),
}

/// Decode the content of a signature BIT STRING.
pub fn decode(unused: u8, data: &[u8]) -> Result<SignatureValue, SigValueError> {
    let ignored_unused_bits = (unused != 0).then_some(unused);
    if data.first() == Some(&0x30) && data.len() >= 2 {
        let claimed = der_total_len(data);
        match claimed {
            Some(total) if total == data.len() => {
                let (signature, _) = Signature::decode(Suite::Sm, data)
                    .map_err(|e| SigValueError::OutOfRange(e.to_string()))?;
                return Ok(SignatureValue {
                    signature,
                    encoding: SigEncoding::Der,
                    ignored_unused_bits,
                });
            }
            Some(total) if total > data.len() && data.len() != 64 => {
                return Err(SigValueError::TruncatedDer {
                    claimed: total,
                    present: data.len(),
                });
            }
            _ => {}
        }
    }
    if data.len() == 64 {
        let signature = Signature::from_raw(Suite::Sm, data)
            .map_err(|e| SigValueError::OutOfRange(e.to_string()))?;
        return Ok(SignatureValue {
            signature,
            encoding: SigEncoding::Raw,
            ignored_unused_bits,
        });
    }
    Err(SigValueError::Unrecognised { len: data.len() })
}

/// Total length a DER header claims (short or one/two-octet long form).
fn der_total_len(data: &[u8]) -> Option<usize> {
    match *data.get(1)? {
        l if l < 0x80 => Some(2 + usize::from(l)),
        0x81 => Some(3 + usize::from(*data.get(2)?)),
        0x82 => Some(4 + (usize::from(*data.get(2)?) << 8 | usize::from(*data.get(3)?))),
        _ => None,
    }
}

/// SM2 verification with the default ID `1234567812345678` (P3).
pub fn verify(public_key: &[u8; 65], msg: &[u8], sig: &Signature) -> bool {
    match Sm2VerifyingKey::from_sec1(public_key) {
        Ok(k) => k.verify(msg, sig).is_ok(),
        Err(_) => false,
    }
}
