//! `tests/vectors/qr/digits.json` (docs/spec/qr.md §2): bytes as QR digits,
//! written by a second implementation; ours agrees both ways and refuses
//! what the rule never writes.

use yinzheng_ledger::digits::{self, DigitsError};

#[test]
fn digit_vectors_agree_both_ways() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let text = std::fs::read_to_string(dir.join("qr/digits.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    for c in v["cases"].as_array().unwrap() {
        let bytes = hex::decode(c["hex"].as_str().unwrap()).unwrap();
        let d = c["digits"].as_str().unwrap();
        assert_eq!(digits::encode(&bytes), d);
        assert_eq!(digits::decode(d).unwrap(), bytes);
    }
    for c in v["refused"].as_array().unwrap() {
        let d = c["digits"].as_str().unwrap();
        let kind = match digits::decode(d) {
            Err(DigitsError::NotADigit(_)) => "NotADigit",
            Err(DigitsError::BadLength(..)) => "BadLength",
            Err(DigitsError::GroupOutOfRange(_)) => "GroupOutOfRange",
            Ok(b) => panic!("{d} decoded to {b:02x?}"),
        };
        assert_eq!(kind, c["error"].as_str().unwrap(), "{d}");
    }
    for b in v["bundles"].as_array().unwrap() {
        let bytes = std::fs::read(dir.join(b["file"].as_str().unwrap())).unwrap();
        let link = b["link"].as_str().unwrap();
        let (_, d) = link.split_once("#d=").unwrap();
        assert_eq!(digits::decode(d).unwrap(), bytes);
        assert_eq!(digits::encode(&bytes), d);
    }
}
