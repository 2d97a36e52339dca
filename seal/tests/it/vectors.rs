//! The committed seal vectors (`tests/vectors/seals/`, `docs/spec/seals.md`
//! §9): each document gives exactly the failures its manifest lists.

use std::path::PathBuf;

use yinzheng_seal::{DocumentReport, Outcome, TrustAnchors, verify_ofd};

#[derive(serde::Deserialize)]
struct Entry {
    file: String,
    #[serde(default)]
    anchors: Vec<String>,
    genuine: bool,
    failures: Vec<(String, String, Option<String>)>,
}

/// Every failed line of every signature: (check, reason, subject).
pub fn failures(r: &DocumentReport) -> Vec<(String, String, Option<String>)> {
    let name = |v: serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    r.signatures
        .iter()
        .flat_map(|s| {
            s.seal
                .iter()
                .flat_map(|x| x.checks.iter())
                .chain(s.checks.iter())
        })
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| {
            (
                name(serde_json::to_value(c.code).unwrap()),
                name(serde_json::to_value(c.reason).unwrap()),
                c.subject.clone(),
            )
        })
        .collect()
}

pub fn owned(f: (&str, &str, Option<&str>)) -> (String, String, Option<String>) {
    (f.0.to_owned(), f.1.to_owned(), f.2.map(str::to_owned))
}

#[test]
fn committed_seal_vectors_give_their_recorded_results() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/seals");
    let manifest: Vec<Entry> =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    assert!(manifest.len() >= 15);
    for e in manifest {
        let certs: Vec<Vec<u8>> = e
            .anchors
            .iter()
            .map(|a| std::fs::read(dir.join(a)).unwrap())
            .collect();
        let refs: Vec<&[u8]> = certs.iter().map(Vec::as_slice).collect();
        let anchors = TrustAnchors::from_der(&refs).unwrap();
        let r = verify_ofd(&std::fs::read(dir.join(&e.file)).unwrap(), &anchors).unwrap();
        assert_eq!(failures(&r), e.failures, "{}", e.file);
        assert_eq!(r.all_seals_genuine(), e.genuine, "{}", e.file);
    }
}
