//! `yinzheng seal cert|make|sign|doc` and `yinzheng verify DOC.ofd`, end to
//! end as a department and a service counter would use them.

use std::path::Path;

use crate::common::*;

fn ok(home: &Path, args: &[&str]) -> String {
    let o = run(home, args);
    assert_eq!(code(&o), 0, "yinzheng {args:?}: {}", text(&o));
    text(&o)
}

#[test]
fn a_department_makes_a_seal_seals_a_licence_and_a_counter_verifies_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = |n: &str| d.join(n).display().to_string();
    for who in ["ca", "maker", "signer"] {
        ok(d, &["keygen", &p(who)]);
    }
    ok(
        d,
        &[
            "seal",
            "cert",
            "--key",
            &p("ca.key.pem"),
            "--subject",
            "CN=测试印章CA,C=CN",
            "--ca",
            "--out",
            &p("ca.der"),
        ],
    );
    for who in ["maker", "signer"] {
        ok(
            d,
            &[
                "seal",
                "cert",
                "--key",
                &p(&format!("{who}.key.pem")),
                "--subject",
                &format!("CN={who},O=测试,C=CN"),
                "--issuer-key",
                &p("ca.key.pem"),
                "--issuer-cert",
                &p("ca.der"),
                "--out",
                &p(&format!("{who}.der")),
            ],
        );
    }
    std::fs::write(d.join("seal.png"), b"\x89PNG\r\n\x1a\nnot really an image").unwrap();
    ok(
        d,
        &[
            "seal",
            "make",
            "--maker-key",
            &p("maker.key.pem"),
            "--maker-cert",
            &p("maker.der"),
            "--es-id",
            "4403050000009",
            "--name",
            "测试专用章",
            "--picture",
            &p("seal.png"),
            "--signer-cert",
            &p("signer.der"),
            "--out",
            &p("s.esl"),
        ],
    );
    ok(
        d,
        &[
            "seal",
            "doc",
            "--title",
            "施工许可证",
            "--line",
            "编号 1",
            "--out",
            &p("licence.ofd"),
        ],
    );
    ok(
        d,
        &[
            "seal",
            "sign",
            &p("licence.ofd"),
            "--seal",
            &p("s.esl"),
            "--key",
            &p("signer.key.pem"),
            "--cert",
            &p("signer.der"),
        ],
    );
    let sealed = p("licence.sealed.ofd");

    let out = ok(d, &["verify", &sealed]);
    assert!(out.contains("全部印章真实，文件签章后未被修改"), "{out}");
    assert!(
        out.contains("测试专用章") && out.contains("未配置信任根"),
        "{out}"
    );
    assert!(out.contains("账本：未查询"), "{out}");
    let out = ok(
        d,
        &["verify", &sealed, "--anchor", &p("ca.der"), "--lang", "en"],
    );
    assert!(
        out.contains("chains to a trust anchor") && out.contains("every seal genuine"),
        "{out}"
    );
    let json = ok(d, &["verify", &sealed, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["document"]["signatures"][0]["seal"]["seal"]["es_id"],
        "4403050000009"
    );

    // Another CA as the only anchor: chains fail, exit 1.
    ok(d, &["keygen", &p("other")]);
    ok(
        d,
        &[
            "seal",
            "cert",
            "--key",
            &p("other.key.pem"),
            "--subject",
            "CN=Other,C=CN",
            "--ca",
            "--out",
            &p("other.der"),
        ],
    );
    let o = run(d, &["verify", &sealed, "--anchor", &p("other.der")]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("不能链接到信任根"));

    // Sealing twice keeps both verifiable.
    ok(
        d,
        &[
            "seal",
            "sign",
            &sealed,
            "--seal",
            &p("s.esl"),
            "--key",
            &p("signer.key.pem"),
            "--cert",
            &p("signer.der"),
            "--out",
            &p("twice.ofd"),
        ],
    );
    let out = ok(d, &["verify", &p("twice.ofd")]);
    assert_eq!(out.matches("签章 s00").count(), 2, "{out}");

    // A signer the seal does not admit cannot produce a genuine stamp.
    ok(
        d,
        &[
            "seal",
            "sign",
            &p("licence.ofd"),
            "--seal",
            &p("s.esl"),
            "--key",
            &p("maker.key.pem"),
            "--cert",
            &p("maker.der"),
            "--out",
            &p("wrong.ofd"),
        ],
    );
    let o = run(d, &["verify", &p("wrong.ofd")]);
    assert_eq!(code(&o), 1);
    assert!(text(&o).contains("不在印章证书列表中"), "{}", text(&o));
}

#[test]
fn bad_inputs_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = |n: &str| d.join(n).display().to_string();
    // A ZIP that is not an OFD.
    std::fs::write(d.join("x.ofd"), b"PK\x03\x04garbage").unwrap();
    let o = run(d, &["verify", &p("x.ofd")]);
    assert_eq!(code(&o), 66, "{}", text(&o));
    assert!(text(&o).contains("not an OFD package"), "{}", text(&o));
    // A key that is not SM2, a picture that is not PNG, a certificate that is not one.
    ok(d, &["keygen", "--suite", "intl", &p("ed")]);
    let o = run(
        d,
        &[
            "seal",
            "cert",
            "--key",
            &p("ed.key.pem"),
            "--subject",
            "CN=x",
            "--out",
            &p("c.der"),
        ],
    );
    assert_eq!(code(&o), 64);
    assert!(text(&o).contains("SM2"), "{}", text(&o));
    ok(d, &["keygen", &p("k")]);
    let o = run(
        d,
        &[
            "seal",
            "cert",
            "--key",
            &p("k.key.pem"),
            "--subject",
            "not a name",
            "--out",
            &p("c.der"),
        ],
    );
    assert_eq!(code(&o), 64, "{}", text(&o));
    ok(
        d,
        &[
            "seal",
            "cert",
            "--key",
            &p("k.key.pem"),
            "--subject",
            "CN=k,C=CN",
            "--out",
            &p("k.der"),
        ],
    );
    std::fs::write(d.join("pic.gif"), b"GIF89a").unwrap();
    let o = run(
        d,
        &[
            "seal",
            "make",
            "--maker-key",
            &p("k.key.pem"),
            "--maker-cert",
            &p("k.der"),
            "--es-id",
            "1",
            "--name",
            "n",
            "--picture",
            &p("pic.gif"),
            "--signer-cert",
            &p("k.der"),
            "--out",
            &p("s.esl"),
        ],
    );
    assert_eq!(code(&o), 64);
    assert!(text(&o).contains("PNG"));
    let o = run(
        d,
        &[
            "seal",
            "make",
            "--maker-key",
            &p("k.key.pem"),
            "--maker-cert",
            &p("pic.gif"),
            "--es-id",
            "1",
            "--name",
            "n",
            "--picture",
            &p("pic.gif"),
            "--signer-cert",
            &p("k.der"),
            "--out",
            &p("s.esl"),
        ],
    );
    assert_eq!(code(&o), 64, "{}", text(&o));
}

#[test]
fn the_yunnan_licence_names_its_edited_pages() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/gbt38540/samples/v4_licence_yunnan_2seals_pages_edited.ofd");
    if !sample.exists() {
        eprintln!(
            "skipped: the GB/T 38540 samples are not beside this clone; seals.rs's own documents cover the command"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["verify", &sample.display().to_string()]);
    assert_eq!(code(&o), 1);
    let t = text(&o);
    assert!(t.contains("印章真实，但文件在签章后被修改"), "{t}");
    assert!(
        t.contains("Doc_0/Pages/Page_0/Content.xml")
            && t.contains("Doc_0/Pages/Page_1/Content.xml"),
        "{t}"
    );
}

/// The committed vectors: a sealed e-licence, its seal's registration and
/// its stamping's anchor, checked together offline from bundles.
#[test]
fn a_sealed_licence_against_ledger_bundles() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let doc = v("national-licence.ofd");
    let g = v("genesis.json");
    let (seal, stamping) = (
        v("national-seal-full.bundle"),
        v("national-stamping-full.bundle"),
    );
    let o = run(
        d,
        &[
            "verify",
            &doc,
            "--genesis",
            &g,
            "--bundle",
            &seal,
            "--bundle",
            &stamping,
            "--max-age",
            FOREVER,
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let t = text(&o);
    assert!(
        t.contains("已在账本登记且未撤销")
            && t.contains("账本登记：区块高度")
            && t.contains("签章存证：区块高度"),
        "{t}"
    );
    assert!(
        t.contains("所属单位 深圳市南山区政务服务中心"),
        "owner named from the genesis: {t}"
    );
    assert!(
        t.contains("登记机构 广东省政务服务数据管理局"),
        "the seal authority that registered it: {t}"
    );
    // Without the stamping's bundle: still valid, the anchor reported missing.
    let o = run(
        d,
        &[
            "verify",
            &doc,
            "--genesis",
            &g,
            "--bundle",
            &seal,
            "--max-age",
            FOREVER,
            "--lang",
            "en",
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("stamping anchored: no"), "{}", text(&o));
    // Without the registration: the seal is not registered.
    let o = run(
        d,
        &[
            "verify",
            &doc,
            "--genesis",
            &g,
            "--bundle",
            &stamping,
            "--max-age",
            FOREVER,
        ],
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    assert!(
        text(&o).contains("印章真实，但未在账本登记"),
        "{}",
        text(&o)
    );
    // Bundles of another consortium prove nothing here.
    let o = run(
        d,
        &[
            "verify",
            &doc,
            "--genesis",
            &v("other-genesis.json"),
            "--bundle",
            &seal,
            "--bundle",
            &stamping,
        ],
    );
    assert_eq!(code(&o), 1, "{}", text(&o));
    // An old status is stale (exit 3).
    let o = run(
        d,
        &[
            "verify",
            &doc,
            "--genesis",
            &g,
            "--bundle",
            &seal,
            "--max-age",
            "1h",
        ],
    );
    assert_eq!(code(&o), 3, "{}", text(&o));
    // JSON carries the document, the ledger's findings and the verdict.
    let o = run(
        d,
        &[
            "verify",
            &doc,
            "--genesis",
            &g,
            "--bundle",
            &seal,
            "--bundle",
            &stamping,
            "--json",
            "--max-age",
            FOREVER,
        ],
    );
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["verdict"], "valid");
    assert!(j["ledger"][0]["anchor"]["height"].as_u64().unwrap() > 0);
}
