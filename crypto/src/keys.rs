//! Suite-independent keys and the small traits every suite implements.

use crate::ed25519::{Ed25519SigningKey, Ed25519VerifyingKey};
use crate::signature::Signature;
use crate::sm2::{DEFAULT_DISTID, Sm2SigningKey, Sm2VerifyingKey};
use crate::{CryptoError, Suite};

/// Something that signs messages.
pub trait Signer {
    /// The suite of the signatures it makes.
    fn suite(&self) -> Suite;
    /// Sign `msg` (the exact bytes; any domain separation is the caller's).
    fn sign(&self, msg: &[u8]) -> Result<Signature, CryptoError>;
}

/// Something that verifies signatures.
pub trait Verifier {
    /// The suite of the signatures it accepts.
    fn suite(&self) -> Suite;
    /// `Ok(())` if `sig` is a valid signature over `msg`, else the reason.
    fn verify(&self, msg: &[u8], sig: &Signature) -> Result<(), CryptoError>;
}

/// A public key of either suite.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyingKey {
    /// SM2, with its distinguishing ID and cached `Z_A`.
    Sm2(Sm2VerifyingKey),
    /// Ed25519.
    Ed25519(Ed25519VerifyingKey),
}

impl VerifyingKey {
    /// From the suite's public-key bytes (SM2: 65-byte `04‖X‖Y`, 33-byte
    /// compressed accepted; Ed25519: 32 bytes), SM2 with the default ID.
    pub fn from_bytes(suite: Suite, bytes: &[u8]) -> Result<Self, CryptoError> {
        Self::from_bytes_with_id(suite, bytes, DEFAULT_DISTID)
    }

    /// As [`VerifyingKey::from_bytes`], with an SM2 distinguishing ID.
    /// Ed25519 has none: it accepts only the default ID or an empty one, so a
    /// caller can never believe an ID was bound when it was not.
    pub fn from_bytes_with_id(
        suite: Suite,
        bytes: &[u8],
        distid: &str,
    ) -> Result<Self, CryptoError> {
        match suite {
            Suite::Sm => Ok(VerifyingKey::Sm2(Sm2VerifyingKey::from_sec1_with_id(
                bytes, distid,
            )?)),
            Suite::Intl if !distid.is_empty() && distid != DEFAULT_DISTID => {
                Err(CryptoError::PublicKey {
                    reason: "Ed25519 keys take no distinguishing ID",
                })
            }
            Suite::Intl => Ok(VerifyingKey::Ed25519(Ed25519VerifyingKey::from_bytes(
                bytes,
            )?)),
        }
    }

    /// The canonical public-key bytes (SM2: always 65 bytes uncompressed).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            VerifyingKey::Sm2(k) => k.to_bytes().to_vec(),
            VerifyingKey::Ed25519(k) => k.to_bytes().to_vec(),
        }
    }
}

impl Verifier for VerifyingKey {
    fn suite(&self) -> Suite {
        match self {
            VerifyingKey::Sm2(_) => Suite::Sm,
            VerifyingKey::Ed25519(_) => Suite::Intl,
        }
    }

    fn verify(&self, msg: &[u8], sig: &Signature) -> Result<(), CryptoError> {
        match self {
            VerifyingKey::Sm2(k) => k.verify(msg, sig),
            VerifyingKey::Ed25519(k) => k.verify(msg, sig),
        }
    }
}

/// A private key of either suite. Secret material is zeroized on drop.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SigningKey {
    /// SM2, with its distinguishing ID.
    Sm2(Sm2SigningKey),
    /// Ed25519.
    Ed25519(Ed25519SigningKey),
}

impl SigningKey {
    /// A fresh key of the suite, from the operating system's generator.
    pub fn generate(suite: Suite) -> Result<Self, CryptoError> {
        match suite {
            Suite::Sm => Ok(SigningKey::Sm2(Sm2SigningKey::generate()?)),
            Suite::Intl => Ok(SigningKey::Ed25519(Ed25519SigningKey::generate()?)),
        }
    }

    /// From the suite's 32 secret bytes (SM2: scalar `d`; Ed25519: seed).
    pub fn from_bytes(suite: Suite, bytes: &[u8]) -> Result<Self, CryptoError> {
        match suite {
            Suite::Sm => Ok(SigningKey::Sm2(Sm2SigningKey::from_bytes(
                bytes,
                DEFAULT_DISTID,
            )?)),
            Suite::Intl => Ok(SigningKey::Ed25519(Ed25519SigningKey::from_bytes(bytes)?)),
        }
    }

    /// The public half.
    pub fn verifying_key(&self) -> VerifyingKey {
        match self {
            SigningKey::Sm2(k) => VerifyingKey::Sm2(k.verifying_key().clone()),
            SigningKey::Ed25519(k) => VerifyingKey::Ed25519(k.verifying_key()),
        }
    }
}

impl Signer for SigningKey {
    fn suite(&self) -> Suite {
        match self {
            SigningKey::Sm2(_) => Suite::Sm,
            SigningKey::Ed25519(_) => Suite::Intl,
        }
    }

    fn sign(&self, msg: &[u8]) -> Result<Signature, CryptoError> {
        match self {
            SigningKey::Sm2(k) => k.sign(msg),
            SigningKey::Ed25519(k) => Ok(k.sign(msg)),
        }
    }
}
