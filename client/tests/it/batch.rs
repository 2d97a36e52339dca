//! Batch mode and the verifier memory kept between runs.

use crate::common::*;

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
