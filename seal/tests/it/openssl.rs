//! What this crate makes, checked by an implementation we did not write:
//! OpenSSL 3 parses our certificates, verifies their chain, and verifies the
//! maker's and the signer's SM2 signatures over the bytes our verifier uses,
//! extracted from a sealed OFD (and the gmssl Python package agrees on the
//! signer's signature). And the other way: a certificate and key
//! made by OpenSSL sign seals and documents that our verifier accepts.
//! Requires `openssl` on PATH (`.ci/run` installs it).

use std::path::Path;
use std::process::Command;

use yinzheng_seal::{
    CheckCode, Outcome, Seal, SesSignature, TrustAnchors, make_seal, ofd, seal_ofd, verify_ofd,
};

use crate::common::*;

fn openssl(dir: &Path, args: &[&str]) -> String {
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
    assert!(out.status.success(), "openssl {args:?} failed: {text}");
    text
}

fn pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

#[test]
fn openssl_verifies_our_certificates_and_seal_signatures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new();
    let sealed = pki.sealed_document();
    let files = unzip(&sealed);
    let sv = &files
        .iter()
        .find(|(n, _)| n == "Doc_0/Signs/Sign_0/SignedValue.dat")
        .unwrap()
        .1;
    let sig = SesSignature::parse(sv).unwrap();

    std::fs::write(d.join("ca.pem"), pem(&pki.ca.cert)).unwrap();
    std::fs::write(d.join("maker.pem"), pem(&pki.maker.cert)).unwrap();
    std::fs::write(d.join("signer.pem"), pem(sig.cert)).unwrap();
    // Our certificates parse, and chain under OpenSSL's SM2 certificate verification.
    let text = openssl(d, &["x509", "-in", "signer.pem", "-noout", "-text"]);
    assert!(
        text.contains("SM2-with-SM3") || text.contains("1.2.156.10197.1.501"),
        "{text}"
    );
    assert!(
        text.contains("Digital Signature, Non Repudiation"),
        "{text}"
    );
    let v = openssl(
        d,
        &[
            "verify",
            "-vfyopt",
            "distid:1234567812345678",
            "-CAfile",
            "ca.pem",
            "signer.pem",
            "maker.pem",
        ],
    );
    assert!(
        v.contains("signer.pem: OK") && v.contains("maker.pem: OK"),
        "{v}"
    );

    // The signer's signature over TBS_Sign as found in SignedValue.dat.
    openssl(
        d,
        &[
            "x509",
            "-in",
            "signer.pem",
            "-pubkey",
            "-noout",
            "-out",
            "signer.pub",
        ],
    );
    std::fs::write(d.join("tbs.der"), sig.tbs_raw).unwrap();
    std::fs::write(d.join("tbs.sig"), sig.signature.data).unwrap();
    let out = openssl(
        d,
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "signer.pub",
            "-rawin",
            "-digest",
            "sm3",
            "-pkeyopt",
            "distid:1234567812345678",
            "-in",
            "tbs.der",
            "-sigfile",
            "tbs.sig",
        ],
    );
    assert!(out.contains("Signature Verified Successfully"), "{out}");

    // A third implementation, the gmssl Python package, agrees on the
    // signer's signature (it mangles keys whose X starts with 0x04: skipped).
    let signer_key = yinzheng_seal::CertInfo::parse(sig.cert)
        .unwrap()
        .sm2_public_key
        .unwrap();
    if &signer_key[2..4] != "04" {
        let (raw, _) =
            yinzheng_crypto::Signature::decode(yinzheng_crypto::Suite::Sm, sig.signature.data)
                .unwrap();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../crypto/tests/interop/gmssl_py.py"
        );
        let out = Command::new("python3")
            .args([
                script,
                "verify",
                &signer_key[2..],
                &hex::encode(sig.tbs_raw),
                &hex::encode(raw.as_bytes()),
            ])
            .output()
            .expect("python3");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "true",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The maker's signature over SES_SealInfo.
    let seal = Seal::parse(sig.seal.raw).unwrap();
    openssl(
        d,
        &[
            "x509",
            "-in",
            "maker.pem",
            "-pubkey",
            "-noout",
            "-out",
            "maker.pub",
        ],
    );
    std::fs::write(d.join("info.der"), seal.info_raw).unwrap();
    std::fs::write(d.join("info.sig"), seal.signature.data).unwrap();
    let out = openssl(
        d,
        &[
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "maker.pub",
            "-rawin",
            "-digest",
            "sm3",
            "-pkeyopt",
            "distid:1234567812345678",
            "-in",
            "info.der",
            "-sigfile",
            "info.sig",
        ],
    );
    assert!(out.contains("Signature Verified Successfully"), "{out}");

    // The whole structures are DER OpenSSL can walk.
    std::fs::write(d.join("sv.der"), sv).unwrap();
    let walk = openssl(d, &["asn1parse", "-inform", "DER", "-in", "sv.der", "-i"]);
    assert!(
        walk.contains(":ES") && walk.contains("GENERALIZEDTIME"),
        "{walk}"
    );

    // A flipped bit is refused by OpenSSL as well.
    let mut bad = sig.tbs_raw.to_vec();
    bad[10] ^= 1;
    std::fs::write(d.join("tbs.der"), bad).unwrap();
    let st = Command::new("openssl")
        .args([
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "signer.pub",
            "-rawin",
            "-digest",
            "sm3",
            "-pkeyopt",
            "distid:1234567812345678",
            "-in",
            "tbs.der",
            "-sigfile",
            "tbs.sig",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!st.status.success());
}

#[test]
fn an_openssl_made_pki_seals_documents_we_verify() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // OpenSSL makes the CA, and the signer's key and certificate.
    openssl(d, &["genpkey", "-algorithm", "SM2", "-out", "ca.key"]);
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-sm3",
            "-sigopt",
            "distid:1234567812345678",
            "-subj",
            "/CN=OpenSSL Seal CA/C=CN",
            "-days",
            "3650",
            "-out",
            "ca.pem",
        ],
    );
    openssl(d, &["genpkey", "-algorithm", "SM2", "-out", "signer.key"]);
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "signer.key",
            "-sm3",
            "-sigopt",
            "distid:1234567812345678",
            "-subj",
            "/CN=OpenSSL Signer/C=CN",
            "-out",
            "signer.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "signer.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-sm3",
            "-sigopt",
            "distid:1234567812345678",
            "-vfyopt",
            "distid:1234567812345678",
            "-days",
            "365",
            "-CAcreateserial",
            "-out",
            "signer.pem",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-in",
            "signer.pem",
            "-outform",
            "DER",
            "-out",
            "signer.der",
        ],
    );
    openssl(
        d,
        &["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"],
    );
    let signer_pem = std::fs::read_to_string(d.join("signer.key")).unwrap();
    let key = match yinzheng_crypto::SigningKey::from_pem(&signer_pem, None).unwrap() {
        yinzheng_crypto::SigningKey::Sm2(k) => k,
        _ => panic!("not SM2"),
    };
    let cert = std::fs::read(d.join("signer.der")).unwrap();
    let ca = std::fs::read(d.join("ca.der")).unwrap();
    // The same OpenSSL identity makes the seal and stamps with it.
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let pki = Pki::new();
    let mut spec = pki.seal_spec(b"png");
    spec.signer_certs = vec![&cert];
    // OpenSSL's certificates start now: the seal is made a minute later.
    spec.created = now + 60;
    spec.valid_start = now + 60;
    spec.valid_end = now + YEAR;
    let seal = make_seal(&spec, &key, &cert).unwrap();
    let doc = ofd::text_document("OpenSSL", &[]).unwrap();
    let req = yinzheng_seal::SealRequest {
        seal: &seal,
        key: &key,
        cert: &cert,
        time: now + 120,
        boundary: (0, 0, 40, 40),
    };
    let sealed = seal_ofd(&doc, &req).unwrap();
    let r = verify_ofd(&sealed, &TrustAnchors::from_der(&[&ca]).unwrap()).unwrap();
    assert!(r.all_seals_genuine(), "{:#?}", r.signatures[0]);
    let chain = r.signatures[0]
        .seal
        .as_ref()
        .unwrap()
        .outcome(CheckCode::CertChain);
    assert_eq!(
        chain,
        Some(Outcome::Pass),
        "OpenSSL's certificate chains to OpenSSL's CA in our verifier"
    );
}
