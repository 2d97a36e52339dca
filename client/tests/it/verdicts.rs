//! Verdicts, exit codes and bad input.

use crate::common::*;

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
