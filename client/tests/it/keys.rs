//! Key files and multi-signature records.

use std::path::Path;
use std::process::Command;

use crate::common::*;

#[test]
fn keygen_writes_keys_openssl_reads() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let prefix = h.join("dept");
    let o = run(h, &["keygen", prefix.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let key = h.join("dept.key.pem");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let out = Command::new("openssl")
        .args(["pkey", "-in", key.to_str().unwrap(), "-pubout"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let pubpem = std::fs::read_to_string(h.join("dept.pub.pem")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), pubpem.trim());
    // Never overwrites an existing key.
    let o = run(h, &["keygen", prefix.to_str().unwrap()]);
    assert_ne!(code(&o), 0);
    // An Ed25519 (network) key: PKCS#8 v1, which OpenSSL 3.0 reads too, and
    // its libp2p peer id.
    let net = h.join("node-p2p");
    let o = run(h, &["keygen", net.to_str().unwrap(), "--suite", "intl"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("peer id: 12D3KooW"), "{}", text(&o));
    let out = Command::new("openssl")
        .args([
            "pkey",
            "-in",
            h.join("node-p2p.key.pem").to_str().unwrap(),
            "-pubout",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pubpem = std::fs::read_to_string(h.join("node-p2p.pub.pem")).unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), pubpem.trim());
    let der = Command::new("openssl")
        .args([
            "asn1parse",
            "-in",
            h.join("node-p2p.key.pem").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let asn1 = String::from_utf8_lossy(&der.stdout);
    assert!(
        asn1.contains("INTEGER           :00"),
        "version 1 (v1 = 0): {asn1}"
    );
}

/// A record several keys sign: built by one, countersigned by another, in
/// canonical order; the same key twice is refused.
#[test]
fn records_are_built_and_countersigned() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let g = v("genesis.json");
    for k in ["a", "b", "validator"] {
        let o = run(h, &["keygen", h.join(k).to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", text(&o));
    }
    let file = h.join("change.env");
    let validator = format!(
        "11440000MB2C50123F={}",
        h.join("validator.pub.pem").display()
    );
    let o = run(
        h,
        &[
            "record",
            "--out",
            file.to_str().unwrap(),
            "--genesis",
            &g,
            "change-validators",
            "--key",
            h.join("a.key.pem").to_str().unwrap(),
            "--validator",
            &validator,
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let b = h.join("b.key.pem");
    let countersign = |key: &Path| {
        run(
            h,
            &[
                "countersign",
                file.to_str().unwrap(),
                "--key",
                key.to_str().unwrap(),
                "--genesis",
                &g,
            ],
        )
    };
    let o = countersign(&b);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("2 signatures"), "{}", text(&o));
    let o = countersign(&b);
    assert_eq!(code(&o), 64, "{}", text(&o));
    assert!(text(&o).contains("BAD_SIGNATURE"), "{}", text(&o));
    // A kind's fields are checked before anything is written.
    let o = run(
        h,
        &[
            "record",
            "--out",
            h.join("x").to_str().unwrap(),
            "--genesis",
            &g,
            "register-org",
            "--key",
            b.to_str().unwrap(),
            "--credit-code",
            "nonsense",
            "--name",
            "某局",
            "--level",
            "city",
            "--division",
            "440300",
        ],
    );
    assert_eq!(code(&o), 64, "{}", text(&o));
    assert!(text(&o).contains("INVALID_FIELD"), "{}", text(&o));
}
