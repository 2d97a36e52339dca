//! Interoperability with the real `openssl` 3 command, in both directions.
//!
//! These tests require `openssl` on PATH (`.ci/run` installs it); they fail,
//! never skip, when it is missing.

use std::path::Path;
use std::process::Command;

use yinzheng_crypto::{
    DEFAULT_DISTID, Signature, SignatureForm, Signer, SigningKey, Suite, Verifier, VerifyingKey,
};

fn openssl(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the `openssl` command must be installed for the interop tests");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (success, text) = openssl(dir, args);
    assert!(success, "openssl {args:?} failed: {text}");
    text
}

const DISTID_OPT: &str = "distid:1234567812345678";

#[test]
fn openssl_is_version_3() {
    let dir = tempfile::tempdir().unwrap();
    let v = ok(dir.path(), &["version"]);
    assert!(v.starts_with("OpenSSL 3."), "{v}");
}

#[test]
fn our_sm2_key_and_signature_verify_in_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 0..8u8 {
        let sk = SigningKey::generate(Suite::Sm).unwrap();
        let msg = vec![i; 100 + usize::from(i)];
        let sig = sk.sign(&msg).unwrap();
        std::fs::write(d.join("pk.pem"), sk.verifying_key().to_spki_pem().unwrap()).unwrap();
        std::fs::write(d.join("sk.pem"), sk.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
        std::fs::write(d.join("msg.bin"), &msg).unwrap();
        std::fs::write(d.join("sig.der"), sig.to_der().unwrap()).unwrap();
        let out = ok(
            d,
            &[
                "pkeyutl", "-verify", "-pubin", "-inkey", "pk.pem", "-rawin", "-in", "msg.bin",
                "-sigfile", "sig.der", "-digest", "sm3", "-pkeyopt", DISTID_OPT,
            ],
        );
        assert!(out.contains("Signature Verified Successfully"), "{out}");
        // OpenSSL derives the same public key from our private key file.
        let a = ok(d, &["pkey", "-in", "sk.pem", "-pubout"]);
        let b = std::fs::read_to_string(d.join("pk.pem")).unwrap();
        assert_eq!(a.trim(), b.trim());
        // A damaged message is refused by OpenSSL too.
        let mut bad = msg.clone();
        bad[0] ^= 1;
        std::fs::write(d.join("bad.bin"), &bad).unwrap();
        let (verified, _) = openssl(
            d,
            &[
                "pkeyutl", "-verify", "-pubin", "-inkey", "pk.pem", "-rawin", "-in", "bad.bin",
                "-sigfile", "sig.der", "-digest", "sm3", "-pkeyopt", DISTID_OPT,
            ],
        );
        assert!(!verified);
    }
}

#[test]
fn openssl_sm2_key_and_signature_verify_in_ours() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for i in 0..8u8 {
        ok(d, &["genpkey", "-algorithm", "SM2", "-out", "sk.pem"]);
        ok(d, &["pkey", "-in", "sk.pem", "-pubout", "-out", "pk.pem"]);
        let msg = vec![i ^ 0x5a; 37 * usize::from(i) + 1];
        std::fs::write(d.join("msg.bin"), &msg).unwrap();
        ok(
            d,
            &[
                "pkeyutl", "-sign", "-inkey", "sk.pem", "-rawin", "-in", "msg.bin", "-digest",
                "sm3", "-pkeyopt", DISTID_OPT, "-out", "sig.der",
            ],
        );
        let sk_pem = std::fs::read_to_string(d.join("sk.pem")).unwrap();
        let pk_pem = std::fs::read_to_string(d.join("pk.pem")).unwrap();
        let sk = SigningKey::from_pem(&sk_pem, None).unwrap();
        let vk = VerifyingKey::from_pem(&pk_pem).unwrap();
        assert_eq!(sk.verifying_key(), vk);
        let der = std::fs::read(d.join("sig.der")).unwrap();
        let (sig, form) = Signature::decode(Suite::Sm, &der).unwrap();
        assert_eq!(form, SignatureForm::Der);
        vk.verify(&msg, &sig).unwrap();
        // Re-encoding is faithful: our DER equals OpenSSL's.
        assert_eq!(sig.to_der().unwrap(), der);
    }
}

#[test]
fn openssl_without_distid_is_not_our_default_id() {
    // OpenSSL 3.0 signs with an empty ID when no distid is given: a classic
    // interop failure, which we must detect rather than accept.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["genpkey", "-algorithm", "SM2", "-out", "sk.pem"]);
    std::fs::write(d.join("msg.bin"), b"hello").unwrap();
    ok(
        d,
        &[
            "pkeyutl", "-sign", "-inkey", "sk.pem", "-rawin", "-in", "msg.bin", "-digest", "sm3",
            "-out", "sig.der",
        ],
    );
    let sk =
        SigningKey::from_pem(&std::fs::read_to_string(d.join("sk.pem")).unwrap(), None).unwrap();
    let (sig, _) =
        Signature::decode(Suite::Sm, &std::fs::read(d.join("sig.der")).unwrap()).unwrap();
    assert!(sk.verifying_key().verify(b"hello", &sig).is_err());
    let pk = sk.verifying_key().to_bytes();
    let empty_id = VerifyingKey::from_bytes_with_id(Suite::Sm, &pk, "").unwrap();
    empty_id.verify(b"hello", &sig).unwrap();
    assert_ne!(DEFAULT_DISTID, "");
}

#[test]
fn encrypted_keys_cross_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Ours → OpenSSL.
    let sk = SigningKey::generate(Suite::Sm).unwrap();
    std::fs::write(
        d.join("enc.pem"),
        sk.to_pkcs8_encrypted_pem(b"s3cret").unwrap(),
    )
    .unwrap();
    let pub_a = ok(
        d,
        &[
            "pkey",
            "-in",
            "enc.pem",
            "-passin",
            "pass:s3cret",
            "-pubout",
        ],
    );
    assert_eq!(
        pub_a.trim(),
        sk.verifying_key().to_spki_pem().unwrap().trim()
    );
    let (opened, _) = openssl(
        d,
        &["pkey", "-in", "enc.pem", "-passin", "pass:wrong", "-pubout"],
    );
    assert!(!opened);
    // OpenSSL → ours.
    ok(d, &["genpkey", "-algorithm", "SM2", "-out", "sk.pem"]);
    ok(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "sk.pem",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:s3cret",
            "-out",
            "enc2.pem",
        ],
    );
    let plain =
        SigningKey::from_pem(&std::fs::read_to_string(d.join("sk.pem")).unwrap(), None).unwrap();
    let enc2 = std::fs::read_to_string(d.join("enc2.pem")).unwrap();
    let decrypted = SigningKey::from_pem(&enc2, Some(b"s3cret")).unwrap();
    assert_eq!(decrypted.verifying_key(), plain.verifying_key());
    assert!(SigningKey::from_pem(&enc2, Some(b"nope")).is_err());
}

#[test]
fn ed25519_interop_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // OpenSSL → ours.
    ok(d, &["genpkey", "-algorithm", "ed25519", "-out", "sk.pem"]);
    ok(d, &["pkey", "-in", "sk.pem", "-pubout", "-out", "pk.pem"]);
    std::fs::write(d.join("msg.bin"), b"data-sharing receipt").unwrap();
    ok(
        d,
        &[
            "pkeyutl", "-sign", "-inkey", "sk.pem", "-rawin", "-in", "msg.bin", "-out", "sig.bin",
        ],
    );
    let vk = VerifyingKey::from_pem(&std::fs::read_to_string(d.join("pk.pem")).unwrap()).unwrap();
    let sk =
        SigningKey::from_pem(&std::fs::read_to_string(d.join("sk.pem")).unwrap(), None).unwrap();
    assert_eq!(sk.verifying_key(), vk);
    let (sig, _) =
        Signature::decode(Suite::Intl, &std::fs::read(d.join("sig.bin")).unwrap()).unwrap();
    vk.verify(b"data-sharing receipt", &sig).unwrap();
    // Ed25519 is deterministic: our signature is byte-identical to OpenSSL's.
    assert_eq!(sk.sign(b"data-sharing receipt").unwrap(), sig);
    // Ours → OpenSSL.
    let ours = SigningKey::generate(Suite::Intl).unwrap();
    std::fs::write(
        d.join("pk2.pem"),
        ours.verifying_key().to_spki_pem().unwrap(),
    )
    .unwrap();
    std::fs::write(
        d.join("sig2.bin"),
        ours.sign(b"data-sharing receipt").unwrap().as_bytes(),
    )
    .unwrap();
    let out = ok(
        d,
        &[
            "pkeyutl", "-verify", "-pubin", "-inkey", "pk2.pem", "-rawin", "-in", "msg.bin",
            "-sigfile", "sig2.bin",
        ],
    );
    assert!(out.contains("Signature Verified Successfully"), "{out}");
}

#[test]
fn sm3_agrees_with_openssl_dgst() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for len in [0usize, 1, 55, 56, 63, 64, 65, 1000, 100_000] {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        std::fs::write(d.join("data.bin"), &data).unwrap();
        let out = ok(d, &["dgst", "-sm3", "-r", "data.bin"]);
        let theirs = out.split_whitespace().next().unwrap();
        assert_eq!(Suite::Sm.hash(&data).to_hex(), theirs, "length {len}");
    }
}

#[test]
fn openssl_sec1_ec_private_key_loads() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["genpkey", "-algorithm", "SM2", "-out", "sk.pem"]);
    ok(d, &["ec", "-in", "sk.pem", "-out", "sec1.pem"]);
    let sec1 = std::fs::read_to_string(d.join("sec1.pem")).unwrap();
    assert!(
        sec1.starts_with("-----BEGIN SM2 PRIVATE KEY-----"),
        "{sec1}"
    );
    let a = SigningKey::from_pem(&sec1, None).unwrap();
    let b =
        SigningKey::from_pem(&std::fs::read_to_string(d.join("sk.pem")).unwrap(), None).unwrap();
    assert_eq!(a.verifying_key(), b.verifying_key());
}
