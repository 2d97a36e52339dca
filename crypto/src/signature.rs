//! Signatures: our raw `r‖s` form, and tolerant decoding of DER.
//!
//! Inside Yinzheng formats a signature is always 64 raw bytes. For SM2 that is
//! `r‖s`, each half a big-endian integer left-padded to 32 bytes
//! (`docs/spec/crypto.md` §2). On import we also accept the DER
//! `SEQUENCE { r INTEGER, s INTEGER }` that OpenSSL and GmSSL write, and tell the
//! caller which form was seen.

use core::fmt;

use der::asn1::UintRef;
use der::{Decode, Reader, SliceReader};

use crate::{CryptoError, Suite};

/// Size of a raw signature in bytes (both suites).
pub const SIGNATURE_LEN: usize = 64;

/// The SM2 group order n, big-endian.
pub(crate) const SM2_ORDER: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x72, 0x03, 0xDF, 0x6B, 0x21, 0xC6, 0x05, 0x2B, 0x53, 0xBB, 0xF4, 0x09, 0x39, 0xD5, 0x41, 0x23,
];

/// Which encoding an imported signature arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureForm {
    /// 64 raw bytes: `r‖s` for SM2, `R‖S` for Ed25519.
    Raw,
    /// DER `SEQUENCE { r INTEGER, s INTEGER }` (SM2 only).
    Der,
}

/// A signature in our raw 64-byte form, tagged with its suite.
///
/// Constructing one through [`Signature::decode`] or [`Signature::from_raw`]
/// checks the structural rules (for SM2: `1 ≤ r, s < n`), so a `Signature`
/// value is always well-formed; whether it verifies is the verifier's question.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature {
    suite: Suite,
    bytes: [u8; SIGNATURE_LEN],
}

impl Signature {
    /// Decode a signature in either accepted form and report which one was seen.
    ///
    /// A 64-byte input is raw; a longer or shorter input starting with `0x30` is
    /// DER (SM2 only). Anything else is refused with a precise error.
    pub fn decode(suite: Suite, bytes: &[u8]) -> Result<(Signature, SignatureForm), CryptoError> {
        if bytes.len() == SIGNATURE_LEN {
            return Ok((Signature::from_raw(suite, bytes)?, SignatureForm::Raw));
        }
        if suite == Suite::Sm && bytes.first() == Some(&0x30) {
            return Ok((decode_der(bytes)?, SignatureForm::Der));
        }
        Err(length_error(bytes.len()))
    }

    /// Decode exactly the raw 64-byte form.
    pub fn from_raw(suite: Suite, bytes: &[u8]) -> Result<Signature, CryptoError> {
        let arr: [u8; SIGNATURE_LEN] = bytes.try_into().map_err(|_| length_error(bytes.len()))?;
        if suite == Suite::Sm {
            let (r, s) = arr.split_at(32);
            check_scalar(
                r,
                CryptoError::SignatureRZero,
                CryptoError::SignatureROutOfRange,
            )?;
            check_scalar(
                s,
                CryptoError::SignatureSZero,
                CryptoError::SignatureSOutOfRange,
            )?;
        }
        Ok(Signature { suite, bytes: arr })
    }

    /// For signers whose output is well-formed by construction.
    pub(crate) const fn from_parts(suite: Suite, bytes: [u8; SIGNATURE_LEN]) -> Signature {
        Signature { suite, bytes }
    }

    /// The suite this signature belongs to.
    pub const fn suite(&self) -> Suite {
        self.suite
    }

    /// The raw 64 bytes.
    pub const fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        self.bytes
    }

    /// The raw 64 bytes, borrowed.
    pub const fn as_bytes(&self) -> &[u8; SIGNATURE_LEN] {
        &self.bytes
    }

    /// DER `SEQUENCE { r, s }`, as OpenSSL expects (SM2); `None` for Ed25519,
    /// which has no DER form.
    pub fn to_der(&self) -> Option<Vec<u8>> {
        if self.suite != Suite::Sm {
            return None;
        }
        let r = der_integer(&self.bytes[..32]);
        let s = der_integer(&self.bytes[32..]);
        let body_len = r.len() + s.len();
        // r and s are at most 35 bytes each, so the body is below 128 bytes
        // and its length fits the one-byte short form.
        let mut out = Vec::with_capacity(2 + body_len);
        out.push(0x30);
        out.push(u8::try_from(body_len).ok()?);
        out.extend_from_slice(&r);
        out.extend_from_slice(&s);
        Some(out)
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({}, ", self.suite)?;
        for b in self.bytes {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

fn length_error(found: usize) -> CryptoError {
    if found < SIGNATURE_LEN {
        CryptoError::SignatureTruncated {
            expected: SIGNATURE_LEN,
            found,
        }
    } else {
        CryptoError::SignatureTrailingBytes {
            extra: found - SIGNATURE_LEN,
        }
    }
}

/// `1 ≤ x < n` for a 32-byte big-endian scalar.
fn check_scalar(x: &[u8], zero: CryptoError, range: CryptoError) -> Result<(), CryptoError> {
    if x.iter().all(|&b| b == 0) {
        return Err(zero);
    }
    if x >= &SM2_ORDER[..] {
        return Err(range);
    }
    Ok(())
}

fn decode_der(bytes: &[u8]) -> Result<Signature, CryptoError> {
    let der_err = |e: der::Error| CryptoError::SignatureDer {
        reason: e.to_string(),
    };
    let mut reader = SliceReader::new(bytes).map_err(der_err)?;
    let (r, s) = reader
        .sequence(|seq| {
            let r = UintRef::decode(seq)?;
            let s = UintRef::decode(seq)?;
            Ok::<_, der::Error>((r, s))
        })
        .map_err(der_err)?;
    let rest = reader.remaining_len();
    if rest != der::Length::ZERO {
        return Err(CryptoError::SignatureTrailingBytes {
            extra: usize::try_from(rest).unwrap_or(usize::MAX),
        });
    }
    let mut raw = [0u8; SIGNATURE_LEN];
    pad_into(
        r.as_bytes(),
        &mut raw[..32],
        CryptoError::SignatureROutOfRange,
    )?;
    pad_into(
        s.as_bytes(),
        &mut raw[32..],
        CryptoError::SignatureSOutOfRange,
    )?;
    Signature::from_raw(Suite::Sm, &raw)
}

/// Left-pad a minimal big-endian integer to 32 bytes.
fn pad_into(src: &[u8], dst: &mut [u8], too_big: CryptoError) -> Result<(), CryptoError> {
    if src.len() > dst.len() {
        return Err(too_big);
    }
    let off = dst.len() - src.len();
    dst[off..].copy_from_slice(src);
    Ok(())
}

/// DER INTEGER for an unsigned big-endian value: minimal, with a 0x00 prefix
/// when the high bit is set.
fn der_integer(x: &[u8]) -> Vec<u8> {
    let first = x.iter().position(|&b| b != 0).unwrap_or(x.len() - 1);
    let v = &x[first..];
    let pad = v[0] & 0x80 != 0;
    let mut out = Vec::with_capacity(v.len() + 3);
    out.push(0x02);
    out.push(u8::try_from(v.len() + usize::from(pad)).unwrap_or(0));
    if pad {
        out.push(0);
    }
    out.extend_from_slice(v);
    out
}
