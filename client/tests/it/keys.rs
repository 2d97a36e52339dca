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

/// Every record kind `submit` and `record` know is built and signed through
/// the real binary, its fields checked as a node would check them.
#[test]
fn every_record_kind_has_a_subcommand() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let g = v("genesis.json");
    let o = run(h, &["keygen", h.join("k").to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = run(
        h,
        &["keygen", "--suite", "intl", h.join("p2p").to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let peer = h.join("p2p.pub.pem").display().to_string();
    let key = h.join("k.key.pem").display().to_string();
    let public = h.join("k.pub.pem").display().to_string();
    let doc = v("contract.txt");
    let (prov, city, dist) = (
        "11440000MB2C50123F",
        "11440300MB2C50456C",
        "11440305MB2C50012D",
    );
    let issue = [
        "--type-code",
        "11100000000000133T",
        "--cert-no",
        "A-1",
        "--issuer",
        city,
        "--region",
        "440300",
        "--file",
        &doc,
        "--holder",
        "someone",
    ];
    let validator = format!("{prov}={public}:2");
    let kinds: Vec<Vec<&str>> = vec![
        [&["issue"][..], &issue[..]].concat(),
        [&["supersede", "--old-cert-no", "A-0"][..], &issue[..]].concat(),
        vec![
            "revoke",
            "--issuer",
            city,
            "--type-code",
            "11100000000000133T",
            "--cert-no",
            "A-1",
        ],
        vec![
            "register-org",
            "--credit-code",
            dist,
            "--name",
            "某区某局",
            "--level",
            "district",
            "--division",
            "440305",
            "--parent",
            city,
        ],
        vec!["update-org", "--credit-code", dist, "--deactivate"],
        vec![
            "register-key",
            "--org",
            dist,
            "--public-key",
            &public,
            "--role",
            "operator",
        ],
        vec!["revoke-key", "--public-key", &public, "--reason", "rotated"],
        vec![
            "grant", "--org", dist, "--kind", "seal", "--region", "440305",
        ],
        vec![
            "revoke-grant",
            "--org",
            dist,
            "--kind",
            "seal",
            "--region",
            "440305",
        ],
        vec!["change-validators", "--validator", &validator],
        vec!["register-peer", "--org", dist, "--peer-key", &peer],
        vec!["remove-peer", "--peer-key", &peer, "--reason", "retired"],
        vec![
            "register-seal",
            "--seal-id",
            "4403050000001",
            "--owner",
            dist,
            "--name",
            "某章",
            "--image",
            &doc,
            "--seal-public-key",
            &public,
            "--valid-days",
            "365",
        ],
        vec!["revoke-seal", "--seal-id", "4403050000001"],
        vec!["stamp", "--seal-id", "4403050000001", "--file", &doc],
        vec![
            "share-request",
            "--request-id",
            "R-1",
            "--requester",
            prov,
            "--provider",
            city,
            "--approver",
            dist,
            "--data-item",
            "营业执照信息",
            "--legal-basis",
            "条例",
            "--holder",
            "someone",
        ],
        vec!["share-decision", "--request-id", "R-1", "--approve"],
        vec!["share-delivery", "--request-id", "R-1", "--file", &doc],
        vec!["share-receipt", "--request-id", "R-1", "--file", &doc],
    ];
    assert_eq!(kinds.len(), 19, "one per record kind");
    for (i, kind) in kinds.iter().enumerate() {
        let out = h.join(format!("r{i}.env"));
        let mut args = vec!["record", "--out", out.to_str().unwrap(), "--genesis", &g];
        args.extend(kind.iter().copied());
        args.extend(["--key", key.as_str()]);
        let o = run(h, &args);
        assert_eq!(code(&o), 0, "{}: {}", kind[0], text(&o));
        assert!(text(&o).contains("1 signature"), "{}", text(&o));
        assert!(std::fs::metadata(&out).unwrap().len() > 100);
    }
    // A network identity is an Ed25519 key: an SM2 key is refused.
    let out = h.join("bad-peer.env");
    let o = run(
        h,
        &[
            "record",
            "--out",
            out.to_str().unwrap(),
            "--genesis",
            &g,
            "register-peer",
            "--org",
            dist,
            "--peer-key",
            &public,
            "--key",
            &key,
        ],
    );
    assert_ne!(code(&o), 0, "{}", text(&o));
    assert!(!out.exists());
}
