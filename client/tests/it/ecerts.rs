//! `yinzheng verify CERT.ofd` for a national-form e-certificate, offline
//! against its bundle (`docs/spec/ecert.md` §5): one verdict for each way a
//! certificate file can be good or bad.

use std::io::{Read, Write};
use std::path::Path;

use crate::common::*;

fn verify(home: &Path, file: &str, bundle: &str) -> (i32, serde_json::Value) {
    let o = run(
        home,
        &[
            "verify",
            file,
            "--bundle",
            bundle,
            "--genesis",
            &v("genesis.json"),
            "--max-age",
            FOREVER,
            "--json",
        ],
    );
    let j = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", text(&o)));
    (code(&o), j)
}

/// The certificate file with `OFD.xml` rewritten by `f`.
fn rewritten(dir: &Path, f: impl Fn(String) -> String) -> String {
    let bytes = std::fs::read(v("ecert/certificate.ofd")).unwrap();
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let out_path = dir.join("rewritten.ofd");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&out_path).unwrap());
    for i in 0..src.len() {
        let mut e = src.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        if name == "OFD.xml" {
            data = f(String::from_utf8(data).unwrap()).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap();
    out_path.display().to_string()
}

#[test]
fn a_genuine_certificate_file_verifies_against_its_bundle() {
    let home = tempfile::tempdir().unwrap();
    let (c, j) = verify(
        home.path(),
        &v("ecert/certificate.ofd"),
        &v("ecert/certificate-full.bundle"),
    );
    assert_eq!(c, 0, "{j}");
    assert_eq!(j["verdict"], "valid");
    assert_eq!(j["certificate"]["check"], "standard");
    assert_eq!(j["ledger"]["status_code"], "01");
    assert_eq!(j["ledger"]["uses"], 1);
    // In words, in Chinese by default.
    let o = run(
        home.path(),
        &[
            "verify",
            &v("ecert/certificate.ofd"),
            "--bundle",
            &v("ecert/certificate-full.bundle"),
            "--genesis",
            &v("genesis.json"),
            "--max-age",
            FOREVER,
        ],
    );
    let t = text(&o);
    assert!(
        t.contains("电子证照真实有效") && t.contains("01 有效"),
        "{t}"
    );
}

#[test]
fn each_bad_certificate_file_gets_its_own_verdict() {
    let home = tempfile::tempdir().unwrap();
    let d = home.path();
    // Bytes added after issue: the anchored digest no longer matches.
    let mut bytes = std::fs::read(v("ecert/certificate.ofd")).unwrap();
    bytes.extend_from_slice(b"\n");
    let grown = d.join("grown.ofd");
    std::fs::write(&grown, &bytes).unwrap();
    let (c, j) = verify(
        d,
        &grown.display().to_string(),
        &v("ecert/certificate-full.bundle"),
    );
    assert_eq!((c, j["verdict"].as_str()), (1, Some("changed")), "{j}");

    // The metadata edited after sealing: the seal protects OFD.xml.
    let edited = rewritten(d, |x| x.replace("张三", "李四"));
    let (c, j) = verify(d, &edited, &v("ecert/certificate-full.bundle"));
    assert_eq!((c, j["verdict"].as_str()), (1, Some("changed")), "{j}");

    // A check character changed: refused before anything else.
    let typo = rewritten(d, |x| {
        let start = x.find("1.2.156.3005.2.").unwrap();
        let end = start + x[start..].find('<').unwrap();
        let id = &x[start..end];
        let last = id.chars().last().unwrap();
        let other = if last == '0' { '1' } else { '0' };
        x.replace(id, &format!("{}{other}", &id[..id.len() - 1]))
    });
    let (c, j) = verify(d, &typo, &v("ecert/certificate-full.bundle"));
    assert_eq!(
        (c, j["verdict"].as_str()),
        (1, Some("bad_identifier")),
        "{j}"
    );
    assert_eq!(j["certificate"]["check"], "wrong");

    // A bundle of another certificate.
    let (c, j) = verify(
        d,
        &v("ecert/certificate.ofd"),
        &v("ecert/suspended-full.bundle"),
    );
    assert_eq!((c, j["verdict"].as_str()), (1, Some("changed")), "{j}");

    // Not a national certificate: the sealed licence keeps its document verdict.
    let o = run(d, &["verify", &v("national-licence.ofd"), "--json"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(j.get("certificate").is_none(), "{j}");
}

#[test]
fn without_a_ledger_a_certificate_is_not_called_valid() {
    let home = tempfile::tempdir().unwrap();
    let o = run(
        home.path(),
        &[
            "verify",
            &v("ecert/certificate.ofd"),
            "--genesis",
            &v("genesis.json"),
            "--json",
        ],
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(code(&o), 3, "{j}");
    assert_eq!(j["verdict"], "stale");
}
