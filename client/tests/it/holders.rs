//! One holder commitment everywhere (`docs/spec/records.md` §3.1): the
//! command line, the demo's record builders and the ledger compute the same
//! `SM3(salt ‖ type ‖ code)`, and nothing accepts an empty or default salt.

use prost::Message;
use yinzheng_ledger::holder::{HolderSalt, holder_commitment};
use yinzheng_ledger::proto::{Envelope, RecordBody, record_body::Kind};

use crate::common::*;

const SALT: &str = "8f1e2d3c4b5a69788796a5b4c3d2e1f0";
const ID: &str = "440305199001011234";

fn issued_commitment(envelope: &[u8]) -> Vec<u8> {
    let env = Envelope::decode(envelope).unwrap();
    let body = RecordBody::decode(env.body.as_slice()).unwrap();
    match body.kind {
        Some(Kind::IssueCertificate(c)) => c.holder_commitment,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_cli_the_samples_and_the_ledger_agree() {
    let home = tempfile::tempdir().unwrap();
    let d = home.path();
    let p = |n: &str| d.join(n).display().to_string();
    std::fs::write(d.join("doc.txt"), b"a certificate").unwrap();
    let o = run(d, &["keygen", &p("k")]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let issue = |salt: Option<&str>, out: &str| {
        let mut args = vec![
            "record",
            "--out",
            out,
            "--genesis",
            "GENESIS",
            "issue",
            "--key",
            "KEY",
            "--type-code",
            "11100000000000133T",
            "--cert-no",
            "NO-1",
            "--issuer",
            "11440300MB2C50456C",
            "--region",
            "440305",
            "--file",
            "DOC",
            "--holder",
            ID,
        ];
        if let Some(s) = salt {
            args.extend(["--salt", s]);
        }
        let (g, k, doc) = (v("genesis.json"), p("k.key.pem"), p("doc.txt"));
        let args: Vec<&str> = args
            .into_iter()
            .map(|a| match a {
                "GENESIS" => g.as_str(),
                "KEY" => k.as_str(),
                "DOC" => doc.as_str(),
                x => x,
            })
            .collect();
        run(d, &args)
    };
    let o = issue(Some(SALT), &p("r.env"));
    assert_eq!(code(&o), 0, "{}", text(&o));
    let cli = issued_commitment(&std::fs::read(d.join("r.env")).unwrap());

    let salt = HolderSalt::from_hex(SALT).unwrap();
    let ledger = holder_commitment(&salt, "111", ID).unwrap();
    assert_eq!(cli, ledger.0.to_vec());

    let genesis = yinzheng_ledger::genesis::Genesis::from_json(
        &std::fs::read_to_string(v("genesis.json")).unwrap(),
    )
    .unwrap();
    let keys =
        yinzheng_genesis::consortium::IssuerKeys::generate(yinzheng_ledger::crypto::Suite::Sm)
            .unwrap();
    let samples = yinzheng_genesis::samples::Samples::new(&genesis, keys).unwrap();
    let r = samples
        .certificate_for("NO-1", b"a certificate", (&salt, "111", ID), 1)
        .unwrap();
    assert_eq!(issued_commitment(r.bytes()), ledger.0.to_vec());

    // Without --salt, a fresh salt is made and shown: two issues differ.
    let o1 = issue(None, &p("a.env"));
    let o2 = issue(None, &p("b.env"));
    assert_eq!((code(&o1), code(&o2)), (0, 0), "{}", text(&o2));
    assert!(text(&o1).contains("holder salt "), "{}", text(&o1));
    let a = issued_commitment(&std::fs::read(d.join("a.env")).unwrap());
    let b = issued_commitment(&std::fs::read(d.join("b.env")).unwrap());
    assert_ne!(a, b);
    assert_ne!(a, cli);

    // An empty, short or all-zero salt is refused, never defaulted.
    for bad in [
        "",
        "00",
        "00000000000000000000000000000000",
        "not hex at all!!",
    ] {
        let o = issue(Some(bad), &p("x.env"));
        assert_eq!(code(&o), 64, "salt {bad:?}: {}", text(&o));
    }
}
