//! Integration tests of `yinzheng-crypto`: standard vectors, signature forms,
//! key files, OpenSSL interop, batch verification.

// Test fixtures build DER lengths and byte patterns from small, known values.
#![allow(clippy::cast_possible_truncation)]

mod batch;
mod fast_verify;
mod gmssl_py;
mod keyfiles;
mod negative;
mod openssl;
mod signature_forms;
mod vectors;

use std::collections::BTreeMap;

/// Parse one of `tests/vectors/*.txt`: blank-line separated `key = value` records.
pub fn load_vectors(name: &str) -> Vec<BTreeMap<String, String>> {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("vector file");
    let mut out = Vec::new();
    let mut cur = BTreeMap::new();
    for line in text.lines().chain(std::iter::once("")) {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let (k, v) = line.split_once('=').expect("key = value");
        cur.insert(k.trim().to_owned(), v.trim().to_owned());
    }
    assert!(!out.is_empty(), "{path} holds no vectors");
    out
}

/// Decode hex, panicking on bad test data.
pub fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex in vector file")
}
