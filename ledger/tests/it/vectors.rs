//! The committed bundle vectors in `tests/vectors/` (spec: docs/spec/bundle.md §8).

use serde::Deserialize;
use yinzheng_ledger::BundleVerifier;
use yinzheng_ledger::genesis::Genesis;

#[derive(Deserialize)]
struct Case {
    bundle: String,
    genesis: String,
    file: Option<String>,
    status: String,
    step: Option<u8>,
    code: Option<String>,
    record_id: Option<String>,
    /// Bundles the same verifier checks first (it learns from them, §6.1).
    #[serde(default)]
    after: Vec<String>,
}

#[test]
fn committed_vectors_give_their_recorded_verdicts() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
    let cases: Vec<Case> = serde_json::from_slice(&read("manifest.json")).unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let g = Genesis::from_json(std::str::from_utf8(&read(&c.genesis)).unwrap()).unwrap();
        let v = BundleVerifier::new(&g).unwrap();
        for a in &c.after {
            let before = v.verify_bytes(&read(a), None);
            assert!(before.error.is_none(), "{a}: {}", before.to_json());
        }
        let file = c.file.as_deref().map(read);
        let verdict = v.verify_bytes(&read(&c.bundle), file.as_deref());
        let json: serde_json::Value = serde_json::from_str(&verdict.to_json()).unwrap();
        assert_eq!(
            json["status"],
            c.status,
            "{}: {}",
            c.bundle,
            verdict.to_json()
        );
        if let Some(id) = &c.record_id {
            assert_eq!(verdict.record_id.as_ref(), Some(id), "{}", c.bundle);
        }
        if let Some(step) = c.step {
            let e = verdict.error.as_ref().unwrap();
            assert_eq!(e.step.number(), step, "{}: {e}", c.bundle);
            assert_eq!(Some(e.code.as_str()), c.code.as_deref(), "{}", c.bundle);
        }
    }
}
