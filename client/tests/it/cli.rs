//! Verdicts, exit codes and bad input, through the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn v(name: &str) -> String {
    vectors().join(name).display().to_string()
}

/// Run `yinzheng` with an isolated trust directory.
fn run(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yinzheng"))
        .args(args)
        .env("YINZHENG_HOME", home)
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .expect("run yinzheng")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const FOREVER: &str = "36500d";

#[test]
fn verdicts_and_their_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let g = v("genesis.json");
    let valid = run(
        h,
        &[
            "verify",
            &v("valid-full.bundle"),
            "--genesis",
            &g,
            "--file",
            &v("certificate-NO-1.txt"),
            "--max-age",
            FOREVER,
        ],
    );
    assert_eq!(code(&valid), 0, "{}", text(&valid));
    assert!(text(&valid).contains("真实有效"));
    assert!(text(&valid).contains("深圳市市场监督管理局"));
    let revoked = run(
        h,
        &[
            "verify",
            &v("revoked-full.bundle"),
            "--genesis",
            &g,
            "--lang",
            "en",
        ],
    );
    assert_eq!(code(&revoked), 2, "{}", text(&revoked));
    assert!(text(&revoked).contains("Revoked"));
    let sup = run(
        h,
        &["verify", &v("superseded-full.bundle"), "--genesis", &g],
    );
    assert_eq!(code(&sup), 2);
    assert!(text(&sup).contains("已被新版本替代"));
    // A compact bundle's status is as of issuance: stale after the allowed age.
    let stale = run(
        h,
        &[
            "verify",
            &v("valid-compact.bundle"),
            "--genesis",
            &g,
            "--max-age",
            "1s",
        ],
    );
    assert_eq!(code(&stale), 3, "{}", text(&stale));
    // JSON carries the stable fields.
    let json = run(
        h,
        &[
            "verify",
            &v("valid-compact.bundle"),
            "--genesis",
            &g,
            "--json",
            "--max-age",
            FOREVER,
        ],
    );
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(parsed["status"], "valid");
    assert_eq!(parsed["exit_code"], 0);
    assert_eq!(parsed["subject"]["issuer"].as_str().unwrap().len(), 18);
}

#[test]
fn forged_and_garbage_inputs() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let g = v("genesis.json");
    for (bundle, step) in [
        ("invalid-step3-record.bundle", "第 3 步"),
        ("invalid-step2-signature.bundle", "第 2 步"),
        ("invalid-step5-status.bundle", "第 5 步"),
        ("invalid-step0-garbage.bundle", "第 0 步"),
        ("invalid-step0-truncated.bundle", "第 0 步"),
    ] {
        let o = run(h, &["verify", &v(bundle), "--genesis", &g]);
        assert_eq!(code(&o), 1, "{bundle}: {}", text(&o));
        assert!(text(&o).contains(step), "{bundle}: {}", text(&o));
    }
    // The wrong document.
    let o = run(
        h,
        &[
            "verify",
            &v("valid-full.bundle"),
            "--genesis",
            &g,
            "--file",
            &v("contract.txt"),
        ],
    );
    assert_eq!(code(&o), 1);
    assert!(text(&o).contains("FILE_MISMATCH"));
    // A genesis of another consortium.
    let o = run(
        h,
        &[
            "verify",
            &v("valid-full.bundle"),
            "--genesis",
            &v("other-genesis.json"),
        ],
    );
    assert_eq!(code(&o), 1);
    // A genesis file that is not one.
    let o = run(
        h,
        &[
            "verify",
            &v("valid-full.bundle"),
            "--genesis",
            &v("contract.txt"),
        ],
    );
    assert_eq!(code(&o), 66, "{}", text(&o));
    assert!(text(&o).contains("genesis"));
    // A bundle file that does not exist.
    let o = run(h, &["verify", "/nonexistent.bundle", "--genesis", &g]);
    assert_eq!(code(&o), 66);
    // No genesis given and none trusted.
    let o = run(h, &["verify", &v("valid-full.bundle")]);
    assert_eq!(code(&o), 64, "{}", text(&o));
    assert!(text(&o).contains("trust import"));
    // Not a command.
    let o = run(h, &["frobnicate"]);
    assert_eq!(code(&o), 64);
}

#[test]
fn trust_import_then_verify_without_genesis_flag() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let o = run(h, &["trust", "import", &v("genesis.json")]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = run(
        h,
        &["verify", &v("valid-full.bundle"), "--max-age", FOREVER],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = run(h, &["trust", "import", &v("contract.txt")]);
    assert_eq!(code(&o), 66);
}

#[test]
fn qr_round_trip_and_bad_images() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let g = v("genesis.json");
    let png = h.join("cert.png");
    let o = run(
        h,
        &[
            "qr",
            "encode",
            "--bundle",
            &v("valid-full.bundle"),
            "--genesis",
            &g,
            "--out",
            png.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = run(
        h,
        &[
            "verify",
            "--qr",
            png.to_str().unwrap(),
            "--genesis",
            &g,
            "--file",
            &v("certificate-NO-1.txt"),
            "--max-age",
            FOREVER,
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    // SVG output is written too.
    let svg = h.join("cert.svg");
    let o = run(
        h,
        &[
            "qr",
            "encode",
            "--bundle",
            &v("stamp-compact.bundle"),
            "--genesis",
            &g,
            "--out",
            svg.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0);
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    // An image with no code in it.
    let blank = h.join("blank.png");
    image::GrayImage::from_pixel(200, 200, image::Luma([255]))
        .save(&blank)
        .unwrap();
    let o = run(
        h,
        &["verify", "--qr", blank.to_str().unwrap(), "--genesis", &g],
    );
    assert_eq!(code(&o), 66, "{}", text(&o));
    assert!(text(&o).contains("no QR code"));
    // Not an image at all.
    let o = run(h, &["verify", "--qr", &v("contract.txt"), "--genesis", &g]);
    assert_eq!(code(&o), 66);
    // A reference needs a node, which this version cannot reach: exit 69.
    let id = "5d059cdcd06732176fb47edccb11e7ea8a86bf7f71f7650cbc2297d5e363c044";
    let refpng = h.join("ref.png");
    let o = run(
        h,
        &[
            "qr",
            "encode",
            "--record",
            id,
            "--chain",
            "yz-test",
            "--height",
            "1",
            "--node",
            "http://127.0.0.1:1",
            "--out",
            refpng.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = run(
        h,
        &["verify", "--qr", refpng.to_str().unwrap(), "--genesis", &g],
    );
    assert_eq!(code(&o), 69, "{}", text(&o));
    // The format is read from the content: a PNG named .jpg, or with no
    // extension, decodes; an image format we do not write is refused.
    for name in ["ref.jpg", "ref"] {
        let copy = h.join(name);
        std::fs::copy(&refpng, &copy).unwrap();
        let o = run(h, &["qr", "decode", copy.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{name}: {}", text(&o));
        assert!(text(&o).contains("#r="), "{}", text(&o));
    }
    let o = run(
        h,
        &[
            "qr",
            "encode",
            "--record",
            id,
            "--chain",
            "c",
            "--height",
            "1",
            "--node",
            "n",
            "--out",
            h.join("x.gif").to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 64, "{}", text(&o));
    // A link that is not ours.
    let o = run(
        h,
        &[
            "verify",
            "--link",
            "https://example.org/#x=1",
            "--genesis",
            &g,
        ],
    );
    assert_eq!(code(&o), 66);
}

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

/// Every exit code of the table in docs/user-guide.md §"Exit codes".
#[test]
fn usage_errors_and_unreachable_nodes_have_their_own_codes() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let g = v("genesis.json");
    for args in [
        vec!["verify", "--genesis", g.as_str()],
        vec![
            "verify",
            &v("valid-full.bundle"),
            "--genesis",
            &g,
            "--max-age",
            "3x",
        ],
        vec![
            "fetch",
            "--node",
            "http://127.0.0.1:1",
            "--genesis",
            &g,
            "--out",
            "x",
        ],
        vec![
            "fetch",
            "--node",
            "http://127.0.0.1:1",
            "--genesis",
            &g,
            "--cert",
            "A",
            "--out",
            "x",
        ],
        vec!["keygen", "x", "--suite", "rsa"],
    ] {
        let o = run(h, &args);
        assert_eq!(code(&o), 64, "{args:?}: {}", text(&o));
        assert!(!text(&o).contains("QR payload"), "{args:?}: {}", text(&o));
    }
    let o = run(
        h,
        &[
            "submit",
            "--node",
            "http://127.0.0.1:1",
            "--genesis",
            &g,
            "envelope",
            &v("genesis.json"),
        ],
    );
    assert_eq!(code(&o), 69, "{}", text(&o));
    let empty = h.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = run(
        h,
        &[
            "verify-batch",
            empty.to_str().unwrap(),
            "--genesis",
            &g,
            "--quiet",
        ],
    );
    assert_eq!(code(&o), 66, "{}", text(&o));
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

#[test]
fn batch_mode_pairs_files_and_writes_reports() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let dir = h.join("uploads");
    std::fs::create_dir(&dir).unwrap();
    let cp = |from: &str, to: &str| std::fs::copy(vectors().join(from), dir.join(to)).unwrap();
    cp("valid-full.bundle", "zhang-san.pdf.bundle");
    cp("certificate-NO-1.txt", "zhang-san.pdf");
    cp("valid-compact.bundle", "li-si.bundle");
    cp("certificate-NO-1.txt", "li-si.txt");
    cp("revoked-full.bundle", "wang-wu.bundle");
    cp("valid-full.bundle", "forged.bundle");
    cp("contract.txt", "forged.pdf");
    cp("invalid-step0-garbage.bundle", "junk.bundle");
    let o = run(
        h,
        &[
            "verify-batch",
            dir.to_str().unwrap(),
            "--genesis",
            &v("genesis.json"),
            "--quiet",
            "--max-age",
            FOREVER,
        ],
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("5 bundles: 2 valid, 0 stale, 1 revoked/superseded/expired, 2 invalid, 2 without a document"), "{}", text(&o));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["summary"]["total"], 5);
    let rows = report["rows"].as_array().unwrap();
    let row = |b: &str| rows.iter().find(|r| r["bundle"] == b).unwrap().clone();
    assert_eq!(row("zhang-san.pdf.bundle")["document"], "zhang-san.pdf");
    assert_eq!(row("zhang-san.pdf.bundle")["status"], "valid");
    assert_eq!(row("li-si.bundle")["document"], "li-si.txt");
    assert_eq!(row("forged.bundle")["code"], "FILE_MISMATCH");
    assert_eq!(row("junk.bundle")["step"], 0);
    let csv = std::fs::read_to_string(dir.join("report.csv")).unwrap();
    assert_eq!(csv.lines().count(), 6);
    assert!(csv.starts_with("bundle,document,status,exit_code"));
}

#[test]
fn the_client_remembers_validator_sets_and_refuses_retired_ones() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let g = v("genesis.json");
    let verify = |bundle: &str| {
        run(
            h,
            &["verify", &v(bundle), "--genesis", &g, "--max-age", FOREVER],
        )
    };
    // Knowing only genesis, a bundle certified by validators retired since
    // cannot be told apart (the residual risk the threat model states).
    let naive = verify("retired-forged.bundle");
    assert_eq!(code(&naive), 0, "{}", text(&naive));
    // A bundle carrying the change teaches the client; it keeps what it learned.
    let rotated = verify("rotated-full.bundle");
    assert_eq!(code(&rotated), 0, "{}", text(&rotated));
    let store = h.join("history");
    let files: Vec<_> = std::fs::read_dir(&store).unwrap().collect();
    assert_eq!(files.len(), 1);
    let forged = verify("retired-forged.bundle");
    assert_eq!(code(&forged), 1, "{}", text(&forged));
    assert!(
        text(&forged).contains("SUPERSEDED_SET"),
        "{}",
        text(&forged)
    );
    // A damaged history is a clear error naming the file, and is left as it was.
    let path = files[0].as_ref().unwrap().path();
    std::fs::write(&path, b"{ not a history").unwrap();
    let o = verify("valid-full.bundle");
    assert_ne!(code(&o), 0);
    assert!(text(&o).contains("history"), "{}", text(&o));
    assert_eq!(std::fs::read(&path).unwrap(), b"{ not a history");
}
