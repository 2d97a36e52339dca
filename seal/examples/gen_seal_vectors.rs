//! Writes the seal vectors to `tests/vectors/seals/` (run from the repository
//! root: `cargo run -p yinzheng-seal --example gen_seal_vectors`): a test CA,
//! a genuine sealed document, each damage of `seal/tests/it/cases.rs` with the
//! failures it must produce, and `manifest.json`. Keys are random, so each run
//! writes new bytes; `seal/tests/it/vectors.rs` checks the committed ones.

#![allow(clippy::unwrap_used, dead_code)]

#[path = "../tests/it/cases.rs"]
mod cases;
#[path = "../tests/it/common.rs"]
mod common;

fn main() {
    let dir = std::path::Path::new("tests/vectors/seals");
    std::fs::create_dir_all(dir).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    let pki = common::Pki::new();
    let other = common::Pki::new();
    write("ca.der", &pki.ca.cert);
    write("other-ca.der", &other.ca.cert);
    write("seal.esl", &pki.seal());
    let mut manifest = Vec::new();
    let entry =
        |file: &str, what: &str, anchors: &[&str], failures: &[(&str, &str, Option<&str>)]| {
            serde_json::json!({
                "file": file,
                "what": what,
                "anchors": anchors,
                "genuine": failures.is_empty(),
                "failures": failures,
            })
        };
    for c in cases::cases(&pki) {
        write(c.name, &c.document);
        manifest.push(entry(c.name, c.what, &[], &c.failures));
    }
    manifest.push(entry(
        "genuine.ofd",
        "the genuine document with its CA as trust anchor: chains pass",
        &["ca.der"],
        &[],
    ));
    manifest.push(entry(
        "genuine.ofd",
        "the genuine document under another CA: neither chain reaches it",
        &["other-ca.der"],
        &[
            ("CERT_CHAIN", "UNTRUSTED", Some("maker")),
            ("CERT_CHAIN", "UNTRUSTED", Some("signer")),
        ],
    ));
    let text = serde_json::to_string_pretty(&manifest).unwrap();
    write("manifest.json", format!("{text}\n").as_bytes());
    println!("wrote {} seal vectors to {}", manifest.len(), dir.display());
}
