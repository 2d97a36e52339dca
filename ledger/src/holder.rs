//! Holder commitments: the one way Yinzheng commits to a person or an
//! organisation a record is about (`docs/spec/records.md` §3.1,
//! `docs/spec/ecert.md` §3.5). No personal data is a field of any record; a
//! record carries `SM3(salt ‖ type_code ‖ code)`, with a salt of 128 random
//! bits that only the issuer (while it holds the certificate) and the holder
//! know.

use core::fmt;

use yinzheng_crypto::{Digest, Suite};

/// Length of a holder salt: 16 bytes (128 bits), fixed, so the commitment's
/// input splits one way.
pub const HOLDER_SALT_LEN: usize = 16;

/// A holder salt: 16 bytes, never all zero (a salt nobody chose).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HolderSalt([u8; HOLDER_SALT_LEN]);

/// Why a salt or a holder is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HolderError {
    /// Not 16 bytes.
    #[error("a holder salt is 16 bytes (32 hex digits), not {0}")]
    SaltLength(usize),
    /// All zero: a default, not a random salt.
    #[error("a holder salt of all zeros is a default, not a salt")]
    SaltZero,
    /// Not hexadecimal.
    #[error("a holder salt is written as 32 hex digits")]
    SaltHex,
    /// The ID type code is not three digits (GB/T 36903 Annex A).
    #[error("holder ID type code {0:?} is not three digits (e.g. 111, 001)")]
    TypeCode(String),
    /// No holder code.
    #[error("the holder code is empty")]
    EmptyCode,
    /// No randomness available.
    #[error("no randomness for a salt")]
    Rng,
}

impl HolderSalt {
    /// A salt from 16 bytes.
    pub fn from_bytes(b: &[u8]) -> Result<HolderSalt, HolderError> {
        let a: [u8; HOLDER_SALT_LEN] =
            b.try_into().map_err(|_| HolderError::SaltLength(b.len()))?;
        if a == [0; HOLDER_SALT_LEN] {
            return Err(HolderError::SaltZero);
        }
        Ok(HolderSalt(a))
    }

    /// A salt from 32 hex digits.
    pub fn from_hex(s: &str) -> Result<HolderSalt, HolderError> {
        let s = s.trim();
        if !s.len().is_multiple_of(2) || !s.is_ascii() {
            return Err(HolderError::SaltHex);
        }
        let bytes: Option<Vec<u8>> = (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
            .collect();
        HolderSalt::from_bytes(&bytes.ok_or(HolderError::SaltHex)?)
    }

    /// A fresh random salt.
    pub fn random() -> Result<HolderSalt, HolderError> {
        let a = yinzheng_crypto::random_array::<HOLDER_SALT_LEN>().map_err(|_| HolderError::Rng)?;
        HolderSalt::from_bytes(&a)
    }

    /// The `index`-th salt derived from a 32-byte random seed: the first 16
    /// bytes of `SM3(seed ‖ index as u32 BE)` (one seed serves several
    /// holders of one certificate).
    pub fn from_seed(seed: &[u8; 32], index: u32) -> HolderSalt {
        let mut input = seed.to_vec();
        input.extend_from_slice(&index.to_be_bytes());
        let d = Suite::Sm.hash(&input);
        let mut a = [0u8; HOLDER_SALT_LEN];
        a.copy_from_slice(&d.0[..HOLDER_SALT_LEN]);
        HolderSalt(a)
    }

    /// The 16 bytes.
    pub fn bytes(&self) -> &[u8; HOLDER_SALT_LEN] {
        &self.0
    }

    /// 32 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for HolderSalt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A salt is a secret of the holder's: never in logs.
        f.write_str("HolderSalt(…)")
    }
}

/// `SM3(salt ‖ type_code ‖ code)`: a holder's commitment, where `type_code`
/// is the three-digit GB/T 36903 Annex A code of the holder's identifier
/// (`111` 公民身份号码, `001` 统一社会信用代码, `414` 普通护照, …) and `code` the
/// identifier as written (UTF-8). The fixed-length salt and type code make the
/// input split one way; the type code keeps one number under two ID types
/// apart. The only function that computes a holder commitment.
pub fn holder_commitment(
    salt: &HolderSalt,
    type_code: &str,
    code: &str,
) -> Result<Digest, HolderError> {
    if type_code.len() != 3 || !type_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HolderError::TypeCode(type_code.to_owned()));
    }
    if code.is_empty() {
        return Err(HolderError::EmptyCode);
    }
    let mut buf = Vec::with_capacity(HOLDER_SALT_LEN + 3 + code.len());
    buf.extend_from_slice(&salt.0);
    buf.extend_from_slice(type_code.as_bytes());
    buf.extend_from_slice(code.as_bytes());
    Ok(Suite::Sm.hash(&buf))
}

/// Longest display-field name and value (bytes).
pub const MAX_FIELD_NAME: usize = 64;
/// Longest display-field value (bytes).
pub const MAX_FIELD_VALUE: usize = 256;
/// Most display fields one certificate commits to.
pub const MAX_FIELDS: usize = 16;

/// `SM3("yinzheng/v1/field" ‖ 0x00 ‖ salt ‖ u32be(len(name)) ‖ name ‖ value)`:
/// a display field's commitment (`docs/spec/records.md` §3.2), each field
/// under its own 16-byte random salt, so opening one reveals nothing of the
/// others. The only function that computes a field commitment.
pub fn field_commitment(salt: &HolderSalt, name: &str, value: &str) -> Digest {
    let mut buf = Vec::with_capacity(18 + HOLDER_SALT_LEN + 4 + name.len() + value.len());
    buf.extend_from_slice(b"yinzheng/v1/field\0");
    buf.extend_from_slice(&salt.0);
    buf.extend_from_slice(&u32::try_from(name.len()).unwrap_or(u32::MAX).to_be_bytes());
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(value.as_bytes());
    Suite::Sm.hash(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_are_sixteen_chosen_bytes() {
        assert_eq!(
            HolderSalt::from_hex("").unwrap_err(),
            HolderError::SaltLength(0)
        );
        assert_eq!(
            HolderSalt::from_hex("00000000000000000000000000000000").unwrap_err(),
            HolderError::SaltZero
        );
        assert_eq!(
            HolderSalt::from_hex("zz").unwrap_err(),
            HolderError::SaltHex
        );
        let s = HolderSalt::from_hex("000102030405060708090a0b0c0d0e0f").unwrap();
        assert_eq!(s.to_hex(), "000102030405060708090a0b0c0d0e0f");
        assert_ne!(HolderSalt::random().unwrap(), HolderSalt::random().unwrap());
        assert_eq!(format!("{s:?}"), "HolderSalt(…)");
    }

    #[test]
    fn the_commitment_is_salt_type_code() {
        let s = HolderSalt::from_hex("000102030405060708090a0b0c0d0e0f").unwrap();
        let mut input = s.bytes().to_vec();
        input.extend_from_slice(b"111440305199001011234");
        assert_eq!(
            holder_commitment(&s, "111", "440305199001011234").unwrap(),
            Suite::Sm.hash(&input)
        );
        assert_ne!(
            holder_commitment(&s, "414", "440305199001011234").unwrap(),
            holder_commitment(&s, "111", "440305199001011234").unwrap()
        );
        assert!(holder_commitment(&s, "11", "x").is_err());
        // A field: domain-separated, the name's length fixes the split.
        let mut f = b"yinzheng/v1/field\0".to_vec();
        f.extend_from_slice(s.bytes());
        f.extend_from_slice(&[0, 0, 0, 2]);
        f.extend_from_slice(b"abc");
        assert_eq!(field_commitment(&s, "ab", "c"), Suite::Sm.hash(&f));
        assert_ne!(
            field_commitment(&s, "ab", "c"),
            field_commitment(&s, "a", "bc")
        );
        assert!(holder_commitment(&s, "111", "").is_err());
    }
}
