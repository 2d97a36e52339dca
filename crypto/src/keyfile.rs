//! Key files: PKCS#8 private keys (plain or password-encrypted) and SPKI
//! public keys, PEM or DER, with the OIDs OpenSSL 3 and GmSSL use
//! (`docs/spec/crypto.md` §3).
//!
//! * SM2 keys are `id-ecPublicKey` (1.2.840.10045.2.1) with the named curve
//!   `sm2p256v1` (1.2.156.10197.1.301), as OpenSSL 3 writes them. On input we
//!   also accept 1.2.156.10197.1.301 as the algorithm itself, and SEC1
//!   `EC PRIVATE KEY` / `SM2 PRIVATE KEY` files (the latter is what
//!   `openssl ec` writes for an SM2 key).
//! * Ed25519 keys are RFC 8410 (1.3.101.112).
//! * Encrypted keys are PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, which
//!   both OpenSSL and GmSSL read.

use der::pem::LineEnding;
use pkcs8::der::Decode as _;
use pkcs8::{
    EncodePrivateKey as _, EncodePublicKey as _, EncryptedPrivateKeyInfoRef, ObjectIdentifier,
    PrivateKeyInfoRef, SubjectPublicKeyInfoRef,
};
use zeroize::Zeroizing;

use crate::CryptoError;
use crate::ed25519::{Ed25519SigningKey, Ed25519VerifyingKey};
use crate::keys::{SigningKey, VerifyingKey};
use crate::sm2::{DEFAULT_DISTID, Sm2SigningKey, Sm2VerifyingKey};

/// `id-ecPublicKey` (RFC 5480).
pub const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `sm2p256v1`, the SM2 curve (GM/T 0006).
pub const OID_SM2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");
/// `SM3` (GM/T 0006).
pub const OID_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.401");
/// `SM2-with-SM3` signature (GM/T 0006).
pub const OID_SM2_WITH_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");
/// `id-Ed25519` (RFC 8410).
pub const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

const LABEL_PRIVATE: &str = "PRIVATE KEY";
const LABEL_ENCRYPTED: &str = "ENCRYPTED PRIVATE KEY";
const LABEL_SEC1: &str = "EC PRIVATE KEY";
/// OpenSSL 3 (`openssl ec`) labels a SEC1 SM2 key this way.
const LABEL_SEC1_SM2: &str = "SM2 PRIVATE KEY";
const LABEL_PUBLIC: &str = "PUBLIC KEY";

fn enc_err(e: impl core::fmt::Display) -> CryptoError {
    CryptoError::KeyEncoding {
        reason: e.to_string(),
    }
}

fn decode_pem(pem: &str) -> Result<(String, Zeroizing<Vec<u8>>), CryptoError> {
    let (label, der) =
        der::pem::decode_vec(pem.trim().as_bytes()).map_err(|e| CryptoError::Pem {
            reason: e.to_string(),
        })?;
    Ok((label.to_owned(), Zeroizing::new(der)))
}

impl SigningKey {
    /// Unencrypted PKCS#8 DER (version 1, which every OpenSSL 3 reads).
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let doc = match self {
            SigningKey::Sm2(k) => k.secret().to_pkcs8_der(),
            // PKCS#8 v1 (no public key): OpenSSL 3.0 refuses the v2 form
            // (RFC 5958 OneAsymmetricKey) that ed25519-dalek writes by default.
            SigningKey::Ed25519(k) => ed25519_dalek::pkcs8::KeypairBytes {
                secret_key: k.dalek().to_bytes(),
                public_key: None,
            }
            .to_pkcs8_der(),
        }
        .map_err(enc_err)?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// Unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, CryptoError> {
        let der = self.to_pkcs8_der()?;
        let pem = der::pem::encode_string(LABEL_PRIVATE, LineEnding::LF, &der).map_err(enc_err)?;
        Ok(Zeroizing::new(pem))
    }

    /// Password-encrypted PKCS#8 DER (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC).
    pub fn to_pkcs8_encrypted_der(&self, password: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let der = self.to_pkcs8_der()?;
        let info = PrivateKeyInfoRef::try_from(der.as_slice()).map_err(enc_err)?;
        let params = pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2(&mut getrandom::SysRng)
            .map_err(|_| CryptoError::Rng)?;
        let doc = info
            .encrypt_with_params(params, password)
            .map_err(enc_err)?;
        Ok(doc.as_bytes().to_vec())
    }

    /// Password-encrypted PKCS#8 PEM (`-----BEGIN ENCRYPTED PRIVATE KEY-----`).
    pub fn to_pkcs8_encrypted_pem(&self, password: &[u8]) -> Result<String, CryptoError> {
        let der = self.to_pkcs8_encrypted_der(password)?;
        der::pem::encode_string(LABEL_ENCRYPTED, LineEnding::LF, &der).map_err(enc_err)
    }

    /// From unencrypted PKCS#8 DER. The suite follows from the algorithm OID.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, CryptoError> {
        let info = PrivateKeyInfoRef::from_der(der).map_err(enc_err)?;
        let alg = info.algorithm;
        if alg.oid == OID_ED25519 {
            let sk = ed25519_dalek::SigningKey::try_from(info).map_err(enc_err)?;
            return Ok(SigningKey::Ed25519(Ed25519SigningKey::from_dalek(sk)));
        }
        let is_sm2 = alg.oid == OID_SM2
            || (alg.oid == OID_EC_PUBLIC_KEY && {
                let curve = alg.parameters_oid().map_err(enc_err)?;
                if curve != OID_SM2 {
                    return Err(CryptoError::UnsupportedAlgorithm {
                        oid: curve.to_string(),
                    });
                }
                true
            });
        if !is_sm2 {
            return Err(CryptoError::UnsupportedAlgorithm {
                oid: alg.oid.to_string(),
            });
        }
        let secret = sm2::SecretKey::from_sec1_der(info.private_key.as_bytes()).map_err(enc_err)?;
        Ok(SigningKey::Sm2(Sm2SigningKey::from_secret(
            secret,
            DEFAULT_DISTID,
        )?))
    }

    /// From password-encrypted PKCS#8 DER.
    pub fn from_pkcs8_encrypted_der(der: &[u8], password: &[u8]) -> Result<Self, CryptoError> {
        let info = EncryptedPrivateKeyInfoRef::from_der(der).map_err(enc_err)?;
        let plain = info
            .decrypt(password)
            .map_err(|_| CryptoError::WrongPassword)?;
        // A wrong password occasionally yields valid padding over garbage.
        Self::from_pkcs8_der(plain.as_bytes()).map_err(|_| CryptoError::WrongPassword)
    }

    /// From any PEM private key file we understand: `PRIVATE KEY` (PKCS#8),
    /// `ENCRYPTED PRIVATE KEY` (needs `password`), or SEC1 `EC PRIVATE KEY` /
    /// `SM2 PRIVATE KEY` (SM2 only).
    pub fn from_pem(pem: &str, password: Option<&[u8]>) -> Result<Self, CryptoError> {
        let (label, der) = decode_pem(pem)?;
        match label.as_str() {
            LABEL_PRIVATE => Self::from_pkcs8_der(&der),
            LABEL_ENCRYPTED => {
                Self::from_pkcs8_encrypted_der(&der, password.ok_or(CryptoError::PasswordRequired)?)
            }
            LABEL_SEC1 | LABEL_SEC1_SM2 => {
                let secret = sm2::SecretKey::from_sec1_der(&der).map_err(enc_err)?;
                Ok(SigningKey::Sm2(Sm2SigningKey::from_secret(
                    secret,
                    DEFAULT_DISTID,
                )?))
            }
            other => Err(CryptoError::Pem {
                reason: format!("label {other:?} is not a private key"),
            }),
        }
    }
}

impl VerifyingKey {
    /// SubjectPublicKeyInfo DER.
    pub fn to_spki_der(&self) -> Result<Vec<u8>, CryptoError> {
        let doc = match self {
            VerifyingKey::Sm2(k) => {
                let pk = crate::sm2::decode_point(&k.to_bytes())?;
                pk.to_public_key_der()
            }
            VerifyingKey::Ed25519(k) => k.dalek().to_public_key_der(),
        }
        .map_err(enc_err)?;
        Ok(doc.as_bytes().to_vec())
    }

    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn to_spki_pem(&self) -> Result<String, CryptoError> {
        der::pem::encode_string(LABEL_PUBLIC, LineEnding::LF, &self.to_spki_der()?).map_err(enc_err)
    }

    /// From SubjectPublicKeyInfo DER (SM2 keys get the default ID).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, CryptoError> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(enc_err)?;
        let alg = &spki.algorithm;
        let key = spki
            .subject_public_key
            .as_bytes()
            .ok_or(CryptoError::PublicKey {
                reason: "public key BIT STRING has unused bits",
            })?;
        if alg.oid == OID_ED25519 {
            return Ok(VerifyingKey::Ed25519(Ed25519VerifyingKey::from_bytes(key)?));
        }
        if alg.oid == OID_EC_PUBLIC_KEY {
            let curve = alg.parameters_oid().map_err(enc_err)?;
            if curve != OID_SM2 {
                return Err(CryptoError::UnsupportedAlgorithm {
                    oid: curve.to_string(),
                });
            }
        } else if alg.oid != OID_SM2 {
            return Err(CryptoError::UnsupportedAlgorithm {
                oid: alg.oid.to_string(),
            });
        }
        Ok(VerifyingKey::Sm2(Sm2VerifyingKey::from_sec1(key)?))
    }

    /// From a `PUBLIC KEY` PEM file.
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        let (label, der) = decode_pem(pem)?;
        if label != LABEL_PUBLIC {
            return Err(CryptoError::Pem {
                reason: format!("label {label:?} is not a public key"),
            });
        }
        Self::from_spki_der(&der)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pkcs8::der::Encode as _;

    #[test]
    fn oids_encode() {
        assert_eq!(OID_SM2.to_der().map(|d| d.len()).ok(), Some(10));
        assert_eq!(OID_SM3.to_string(), "1.2.156.10197.1.401");
        assert_eq!(OID_SM2_WITH_SM3.to_string(), "1.2.156.10197.1.501");
    }
}
