//! The committed bundle vectors in `tests/vectors/` (spec: docs/spec/bundle.md §8).

use serde::Deserialize;
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::{BundleVerifier, VerifyCode};

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

/// The genesis hash as an outside implementer computes it from
/// `docs/spec/genesis.md` §2: keys in the stated order, defaults written,
/// compact JSON, then SM3.
#[test]
fn the_genesis_hash_follows_the_spec() {
    use serde_json::Value;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let text = std::fs::read_to_string(dir.join("genesis.json")).unwrap();
    let want = std::fs::read_to_string(dir.join("genesis.hash")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    type Field<'a> = (&'a str, &'a dyn Fn(&Value) -> String);
    fn obj(v: &Value, keys: &[Field<'_>]) -> String {
        let fields: Vec<String> = keys
            .iter()
            .map(|(k, f)| format!("{}:{}", Value::from(*k), f(&v[*k])))
            .collect();
        format!("{{{}}}", fields.join(","))
    }
    let s = |d: &Value| Value::from(d.as_str().unwrap_or("")).to_string();
    let n = |d: &Value| d.as_u64().unwrap().to_string();
    let list = |d: &Value, f: &dyn Fn(&Value) -> String| {
        let items: Vec<String> = d.as_array().map_or(vec![], |a| a.iter().map(f).collect());
        format!("[{}]", items.join(","))
    };
    let org = |o: &Value| {
        obj(
            o,
            &[
                ("credit_code", &s),
                ("name", &s),
                ("level", &s),
                ("division", &s),
                ("parent", &s),
            ],
        )
    };
    let key = |o: &Value| {
        obj(
            o,
            &[
                ("org", &s),
                ("public_key", &s),
                ("role", &s),
                ("distid", &s),
            ],
        )
    };
    let grant = |o: &Value| {
        obj(
            o,
            &[("org", &s), ("kind", &s), ("scope", &s), ("region", &s)],
        )
    };
    let val = |o: &Value| obj(o, &[("org", &s), ("public_key", &s), ("power", &n)]);
    let committee = |o: &Value| {
        obj(
            o,
            &[("members", &|d: &Value| list(d, &s)), ("threshold", &n)],
        )
    };
    let canonical = obj(
        &v,
        &[
            ("chain_id", &s),
            ("suite", &s),
            ("genesis_time_ms", &n),
            ("committee", &committee),
            ("organisations", &|d: &Value| list(d, &org)),
            ("keys", &|d: &Value| list(d, &key)),
            ("grants", &|d: &Value| list(d, &grant)),
            ("validators", &|d: &Value| list(d, &val)),
        ],
    );
    assert!(canonical.contains("广东省"), "non-ASCII written as itself");
    let ours = yinzheng_ledger::crypto::Suite::Sm.hash(canonical.as_bytes());
    assert_eq!(ours.to_hex(), want.trim());
    let g = Genesis::from_json(&text).unwrap();
    assert_eq!(g.hash().unwrap().to_hex(), want.trim());
}

/// Every code the verifier can return has a vector (bundle.md §8): each of
/// its own codes at some step, and at step 4 every code the record's own
/// decoding can give.
#[test]
fn every_verifier_code_has_a_vector() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let cases: Vec<Case> =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let have: Vec<(u8, String)> = cases
        .iter()
        .filter_map(|c| Some((c.step?, c.code.clone()?)))
        .collect();
    for code in VerifyCode::OWN {
        assert!(
            have.iter().any(|(_, c)| c == code.as_str()),
            "no vector for {code}"
        );
    }
    for code in [
        "MALFORMED",
        "NON_CANONICAL",
        "OVERSIZE",
        "WRONG_CHAIN",
        "BAD_SIGNATURE",
        "MISSING_SIGNATURE",
        "INVALID_FIELD",
    ] {
        assert!(
            have.iter().any(|(s, c)| *s == 4 && c == code),
            "no step-4 vector for the record code {code}"
        );
    }
    for verdict in [
        "valid",
        "revoked",
        "superseded",
        "suspended",
        "expired",
        "not_yet_valid",
    ] {
        assert!(
            cases.iter().any(|c| c.status == verdict),
            "no {verdict} vector"
        );
    }
}

/// `endpoints` (genesis.md §1): optional and checked, and outside the hash:
/// the list may change without making another chain.
#[test]
fn genesis_endpoints_are_checked_and_not_hashed() {
    use yinzheng_ledger::genesis::Genesis;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let text = std::fs::read_to_string(dir.join("genesis.json")).unwrap();
    let plain = Genesis::from_json(&text).unwrap();
    assert!(!plain.to_json().contains("endpoints"));
    let with = |list: &[&str]| {
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["endpoints"] = serde_json::json!(list);
        Genesis::from_json(&v.to_string())
    };
    let g = with(&["https://zwfw.example.gov.cn/yz", "http://10.0.0.7:8080"]).unwrap();
    assert_eq!(g.endpoints.len(), 2);
    assert_eq!(g.hash().unwrap(), plain.hash().unwrap());
    assert!(g.to_json().contains("\"endpoints\""));
    let many: Vec<String> = (0..17).map(|i| format!("http://n{i}.example")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let long = format!("https://{}.example", "a".repeat(200));
    for bad in [
        vec!["ftp://x.example"],
        vec!["http://"],
        vec!["https://x.example/"],
        vec!["https://x.example/#a"],
        vec!["https://x.example/?q=1"],
        vec!["https://x .example"],
        vec![long.as_str()],
        many,
    ] {
        assert!(with(&bad).is_err(), "{bad:?} accepted");
    }
}
