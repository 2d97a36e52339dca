//! Ed25519 (RFC 8032), the signature of the `intl` suite.
//!
//! Verification is strict (`verify_strict`): non-canonical and small-order
//! encodings are refused, so a signature cannot be malleated into a second
//! valid one.

use core::fmt;

use zeroize::Zeroizing;

use crate::signature::Signature;
use crate::{CryptoError, Suite};

/// Length of an Ed25519 public key.
pub const ED25519_PUBLIC_KEY_LEN: usize = 32;

/// An Ed25519 public key.
#[derive(Clone, PartialEq, Eq)]
pub struct Ed25519VerifyingKey(ed25519_dalek::VerifyingKey);

impl Ed25519VerifyingKey {
    /// From the 32-byte RFC 8032 encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: &[u8; 32] = bytes.try_into().map_err(|_| CryptoError::PublicKey {
            reason: "Ed25519 public key must be 32 bytes",
        })?;
        let vk =
            ed25519_dalek::VerifyingKey::from_bytes(arr).map_err(|_| CryptoError::PublicKey {
                reason: "not a valid Ed25519 point encoding",
            })?;
        if vk.is_weak() {
            return Err(CryptoError::PublicKey {
                reason: "small-order Ed25519 point",
            });
        }
        Ok(Ed25519VerifyingKey(vk))
    }

    pub(crate) fn dalek(&self) -> &ed25519_dalek::VerifyingKey {
        &self.0
    }

    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; ED25519_PUBLIC_KEY_LEN] {
        self.0.to_bytes()
    }

    /// Verify a signature over `msg`.
    pub fn verify(&self, msg: &[u8], sig: &Signature) -> Result<(), CryptoError> {
        if sig.suite() != Suite::Intl {
            return Err(CryptoError::SuiteMismatch {
                key: Suite::Intl,
                signature: sig.suite(),
            });
        }
        let s = ed25519_dalek::Signature::from_bytes(sig.as_bytes());
        self.0
            .verify_strict(msg, &s)
            .map_err(|_| CryptoError::SignatureMismatch)
    }
}

impl fmt::Debug for Ed25519VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ed25519VerifyingKey(")?;
        for b in self.0.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// An Ed25519 private key (zeroized on drop by `ed25519-dalek`).
#[derive(Clone)]
pub struct Ed25519SigningKey(ed25519_dalek::SigningKey);

impl Ed25519SigningKey {
    /// A fresh key from the operating system's generator.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut seed[..]).map_err(|_| CryptoError::Rng)?;
        Ok(Ed25519SigningKey(ed25519_dalek::SigningKey::from_bytes(
            &seed,
        )))
    }

    /// From the 32-byte RFC 8032 seed.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        let arr: &[u8; 32] = bytes.try_into().map_err(|_| CryptoError::PrivateKey {
            reason: "Ed25519 seed must be 32 bytes",
        })?;
        Ok(Ed25519SigningKey(ed25519_dalek::SigningKey::from_bytes(
            arr,
        )))
    }

    pub(crate) fn from_dalek(sk: ed25519_dalek::SigningKey) -> Self {
        Ed25519SigningKey(sk)
    }

    pub(crate) fn dalek(&self) -> &ed25519_dalek::SigningKey {
        &self.0
    }

    /// The 32-byte seed, in a buffer wiped on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.0.to_bytes())
    }

    /// The public half.
    pub fn verifying_key(&self) -> Ed25519VerifyingKey {
        Ed25519VerifyingKey(self.0.verifying_key())
    }

    /// Sign `msg` (deterministic, RFC 8032 §5.1.6).
    pub fn sign(&self, msg: &[u8]) -> Signature {
        use ed25519_dalek::Signer as _;
        let s = self.0.sign(msg).to_bytes();
        Signature::from_parts(Suite::Intl, s)
    }
}

impl fmt::Debug for Ed25519SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ed25519SigningKey")
            .field("public", &self.verifying_key())
            .finish_non_exhaustive()
    }
}
