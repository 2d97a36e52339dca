//! PKCS#8 / SPKI / SEC1 key files, plain and encrypted, and their errors.

use yinzheng_crypto::{CryptoError, Signer, SigningKey, Suite, Verifier, VerifyingKey};

#[test]
fn pem_and_der_round_trip_both_suites() {
    for suite in Suite::ALL {
        let sk = SigningKey::generate(suite).unwrap();
        let vk = sk.verifying_key();
        let pem = sk.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let back = SigningKey::from_pem(&pem, None).unwrap();
        assert_eq!(back.verifying_key(), vk);
        let der = sk.to_pkcs8_der().unwrap();
        assert_eq!(
            SigningKey::from_pkcs8_der(&der).unwrap().verifying_key(),
            vk
        );

        let pub_pem = vk.to_spki_pem().unwrap();
        assert!(pub_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert_eq!(VerifyingKey::from_pem(&pub_pem).unwrap(), vk);
        assert_eq!(
            VerifyingKey::from_spki_der(&vk.to_spki_der().unwrap()).unwrap(),
            vk
        );

        let sig = back.sign(b"m").unwrap();
        vk.verify(b"m", &sig).unwrap();
    }
}

#[test]
fn sm2_key_file_sizes_match_openssl() {
    // OpenSSL 3 writes a 138-byte PKCS#8 (with the public key) and a 91-byte SPKI.
    let sk = SigningKey::generate(Suite::Sm).unwrap();
    assert_eq!(sk.to_pkcs8_der().unwrap().len(), 138);
    assert_eq!(sk.verifying_key().to_spki_der().unwrap().len(), 91);
}

#[test]
fn encrypted_pkcs8_round_trip_and_wrong_password() {
    for suite in Suite::ALL {
        let sk = SigningKey::generate(suite).unwrap();
        let pem = sk.to_pkcs8_encrypted_pem(b"correct horse").unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
        let back = SigningKey::from_pem(&pem, Some(b"correct horse")).unwrap();
        assert_eq!(back.verifying_key(), sk.verifying_key());
        assert_eq!(
            SigningKey::from_pem(&pem, Some(b"wrong")).map(|_| ()),
            Err(CryptoError::WrongPassword)
        );
        assert_eq!(
            SigningKey::from_pem(&pem, None).map(|_| ()),
            Err(CryptoError::PasswordRequired)
        );
    }
}

#[test]
fn garbage_pem_and_wrong_labels() {
    assert!(matches!(
        SigningKey::from_pem("hello", None),
        Err(CryptoError::Pem { .. })
    ));
    assert!(matches!(
        SigningKey::from_pem(
            "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
            None
        ),
        Err(CryptoError::Pem { .. })
    ));
    // Valid base64, not a PKCS#8 structure.
    assert!(matches!(
        SigningKey::from_pem(
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            None
        ),
        Err(CryptoError::KeyEncoding { .. })
    ));
    let vk = SigningKey::generate(Suite::Sm).unwrap().verifying_key();
    let pub_pem = vk.to_spki_pem().unwrap();
    assert_eq!(
        SigningKey::from_pem(&pub_pem, None).map(|_| ()),
        Err(CryptoError::Pem {
            reason: "label \"PUBLIC KEY\" is not a private key".into()
        })
    );
    let sk_pem = SigningKey::generate(Suite::Sm)
        .unwrap()
        .to_pkcs8_pem()
        .unwrap();
    assert!(matches!(
        VerifyingKey::from_pem(&sk_pem),
        Err(CryptoError::Pem { .. })
    ));
}

#[test]
fn foreign_curve_is_unsupported() {
    // A P-256 SPKI (RFC 5480 named curve prime256v1): the curve OID is reported.
    let p256 = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEWB8lsH+iUc7BJqXkwe0+uPX7OYFY
CXIrKx0pXY4qDukNl5WOVQEDHMhr9J85dyoGk6gpyVMsdP5wPsGVEB0csg==
-----END PUBLIC KEY-----";
    assert_eq!(
        VerifyingKey::from_pem(p256),
        Err(CryptoError::UnsupportedAlgorithm {
            oid: "1.2.840.10045.3.1.7".into()
        })
    );
}
