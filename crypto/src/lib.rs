//! Yinzheng's cryptography: SM2 and SM3 (the `sm` suite) and Ed25519 and
//! SHA-256 (the `intl` suite), behind one small set of types.
//!
//! Everything that signs, verifies or hashes in Yinzheng goes through this crate,
//! and no other crate names an algorithm: they hold a [`Suite`] and ask it.
//!
//! * [`Suite::hash`] — SM3 (GM/T 0004) or SHA-256;
//! * [`SigningKey`] / [`VerifyingKey`] — SM2 (GM/T 0003.2 with the GM/T 0009
//!   distinguishing ID, `Z_A` cached per key) or Ed25519 (RFC 8032), behind the
//!   [`Signer`] and [`Verifier`] traits;
//! * [`Signature`] — our raw 64-byte `r‖s` form, with tolerant import of DER;
//! * key files — PKCS#8 (plain or password-encrypted) and SPKI, PEM or DER, as
//!   OpenSSL 3 and GmSSL write them;
//! * [`verify_batch`] — many signatures across all cores.
//!
//! The byte-level rules are in `docs/spec/crypto.md`.
//!
//! ```
//! use yinzheng_crypto::{Signature, SigningKey, Signer, Suite, Verifier};
//!
//! let key = SigningKey::generate(Suite::Sm)?;
//! let sig = key.sign(b"certificate bytes")?;
//! key.verifying_key().verify(b"certificate bytes", &sig)?;
//!
//! // Signatures travel as 64 raw bytes; DER from OpenSSL is accepted on import.
//! let (again, _form) = Signature::decode(Suite::Sm, &sig.to_der().unwrap())?;
//! assert_eq!(again, sig);
//! assert_eq!(Suite::Sm.hash(b"abc").to_hex(),
//!            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
//! # Ok::<(), yinzheng_crypto::CryptoError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod batch;
mod ed25519;
mod error;
mod keyfile;
mod keys;
mod signature;
mod sm2;
mod sm2_fast;
mod sm3_lanes;
mod suite;

pub use batch::{BatchItem, verify_all, verify_batch};
pub use ed25519::{ED25519_PUBLIC_KEY_LEN, Ed25519SigningKey, Ed25519VerifyingKey};
pub use error::CryptoError;
pub use keyfile::{OID_EC_PUBLIC_KEY, OID_ED25519, OID_SM2, OID_SM2_WITH_SM3, OID_SM3};
pub use keys::{Signer, SigningKey, Verifier, VerifyingKey};
pub use signature::{SIGNATURE_LEN, Signature, SignatureForm};
pub use sm2::{DEFAULT_DISTID, SM2_PUBLIC_KEY_LEN, Sm2SigningKey, Sm2VerifyingKey, z_a};
pub use suite::{Digest, Hasher, Suite, UnknownSuite};

/// `N` bytes from the operating system's random number generator (Web
/// Crypto in a browser): salts, seeds.
pub fn random_array<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|_| CryptoError::Rng)?;
    Ok(out)
}

/// Build the fixed-base table of the fast SM2 verifier now rather than on the
/// first verification (a few milliseconds; call it at start-up).
pub fn warm_up() {
    sm2_fast::warm_up();
}

/// Re-exported for the GM/T annex vectors, which fix the signing nonce `k`.
#[doc(hidden)]
pub use ::sm2::NonZeroScalar as Sm2NonZeroScalar;
