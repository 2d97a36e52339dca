//! The one error type of this crate.

use crate::Suite;

/// Everything that can go wrong when decoding keys and signatures or verifying.
///
/// Each variant is precise enough for a caller to report *why* an input was
/// refused; none carries secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A raw signature shorter than its fixed size.
    #[error("signature truncated: expected {expected} bytes, found {found}")]
    SignatureTruncated {
        /// Bytes a raw signature has.
        expected: usize,
        /// Bytes given.
        found: usize,
    },
    /// A raw signature, or a DER signature, followed by extra bytes.
    #[error("signature has {extra} trailing bytes")]
    SignatureTrailingBytes {
        /// How many bytes follow the signature.
        extra: usize,
    },
    /// A DER `SEQUENCE { r INTEGER, s INTEGER }` that does not parse.
    #[error("malformed DER signature: {reason}")]
    SignatureDer {
        /// What the DER decoder refused.
        reason: String,
    },
    /// The `r` half of an SM2 signature is zero.
    #[error("signature r is zero")]
    SignatureRZero,
    /// The `s` half of an SM2 signature is zero.
    #[error("signature s is zero")]
    SignatureSZero,
    /// The `r` half of an SM2 signature is not below the group order n.
    #[error("signature r is not below the group order")]
    SignatureROutOfRange,
    /// The `s` half of an SM2 signature is not below the group order n.
    #[error("signature s is not below the group order")]
    SignatureSOutOfRange,
    /// A well-formed signature that does not verify for this key and message.
    #[error("signature does not verify")]
    SignatureMismatch,
    /// A signature made under one suite offered to a key of another.
    #[error("suite mismatch: key is {key}, signature is {signature}")]
    SuiteMismatch {
        /// Suite of the key.
        key: Suite,
        /// Suite the signature was decoded for.
        signature: Suite,
    },
    /// Public key bytes that are not a valid point / key.
    #[error("invalid public key: {reason}")]
    PublicKey {
        /// Why the bytes are refused.
        reason: &'static str,
    },
    /// Private key bytes that are not a valid scalar / key.
    #[error("invalid private key: {reason}")]
    PrivateKey {
        /// Why the bytes are refused.
        reason: &'static str,
    },
    /// An SM2 distinguishing ID longer than GM/T 0003's 16-bit bit length allows.
    #[error("distinguishing ID of {len} bytes is longer than 8191 bytes")]
    DistIdTooLong {
        /// Length in bytes.
        len: usize,
    },
    /// A PEM file that does not parse, or carries an unexpected label.
    #[error("PEM: {reason}")]
    Pem {
        /// What is wrong with it.
        reason: String,
    },
    /// A PKCS#8 / SPKI / SEC1 structure that does not parse.
    #[error("key encoding: {reason}")]
    KeyEncoding {
        /// What the decoder refused.
        reason: String,
    },
    /// A key algorithm or curve this crate does not implement.
    #[error("unsupported key algorithm {oid}")]
    UnsupportedAlgorithm {
        /// The object identifier seen (dotted form).
        oid: String,
    },
    /// An encrypted key that needs a password, and none was given.
    #[error("the key is encrypted and no password was given")]
    PasswordRequired,
    /// The password does not decrypt the key (or the ciphertext is damaged).
    #[error("wrong password or damaged encrypted key")]
    WrongPassword,
    /// The operating system's random number generator failed.
    #[error("random number generator failed")]
    Rng,
}
