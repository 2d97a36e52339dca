//! QR codes: round trips, references, bad images.

use crate::common::*;

#[test]
fn qr_round_trip_and_bad_images() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let g = v("genesis.json");
    let png = h.join("cert.png");
    let o = run(
        h,
        &[
            "qr",
            "encode",
            "--bundle",
            &v("valid-full.bundle"),
            "--genesis",
            &g,
            "--out",
            png.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = run(
        h,
        &[
            "verify",
            "--qr",
            png.to_str().unwrap(),
            "--genesis",
            &g,
            "--file",
            &v("certificate-NO-1.txt"),
            "--max-age",
            FOREVER,
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    // SVG output is written too.
    let svg = h.join("cert.svg");
    let o = run(
        h,
        &[
            "qr",
            "encode",
            "--bundle",
            &v("stamp-compact.bundle"),
            "--genesis",
            &g,
            "--out",
            svg.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0);
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    // An image with no code in it.
    let blank = h.join("blank.png");
    image::GrayImage::from_pixel(200, 200, image::Luma([255]))
        .save(&blank)
        .unwrap();
    let o = run(
        h,
        &["verify", "--qr", blank.to_str().unwrap(), "--genesis", &g],
    );
    assert_eq!(code(&o), 66, "{}", text(&o));
    assert!(text(&o).contains("no QR code"));
    // Not an image at all.
    let o = run(h, &["verify", "--qr", &v("contract.txt"), "--genesis", &g]);
    assert_eq!(code(&o), 66);
    // A reference needs a node, which this version cannot reach: exit 69.
    let id = "5d059cdcd06732176fb47edccb11e7ea8a86bf7f71f7650cbc2297d5e363c044";
    let refpng = h.join("ref.png");
    let o = run(
        h,
        &[
            "qr",
            "encode",
            "--record",
            id,
            "--chain",
            "yz-test",
            "--height",
            "1",
            "--node",
            "http://127.0.0.1:1",
            "--out",
            refpng.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
    let o = run(
        h,
        &["verify", "--qr", refpng.to_str().unwrap(), "--genesis", &g],
    );
    assert_eq!(code(&o), 69, "{}", text(&o));
    // The format is read from the content: a PNG named .jpg, or with no
    // extension, decodes; an image format we do not write is refused.
    for name in ["ref.jpg", "ref"] {
        let copy = h.join(name);
        std::fs::copy(&refpng, &copy).unwrap();
        let o = run(h, &["qr", "decode", copy.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{name}: {}", text(&o));
        assert!(text(&o).contains("#r="), "{}", text(&o));
    }
    let o = run(
        h,
        &[
            "qr",
            "encode",
            "--record",
            id,
            "--chain",
            "c",
            "--height",
            "1",
            "--node",
            "n",
            "--out",
            h.join("x.gif").to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 64, "{}", text(&o));
    // A link that is not ours.
    let o = run(
        h,
        &[
            "verify",
            "--link",
            "https://example.org/#x=1",
            "--genesis",
            &g,
        ],
    );
    assert_eq!(code(&o), 66);
}

/// Display fields: a holder shows three of six in a QR (level M), or all
/// six (a larger code, level L); the link verifies and names them proven; a
/// field not among the openings is refused.
#[test]
fn a_qr_shows_the_fields_the_holder_chooses() {
    let home = tempfile::tempdir().unwrap();
    let d = home.path();
    let png = d.join("q.png").display().to_string();
    let encode = |show: &str| {
        run(
            d,
            &[
                "qr",
                "encode",
                "--bundle",
                &v("fields-0-compact.bundle"),
                "--openings",
                &v("fields-openings.json"),
                "--show",
                show,
                "--genesis",
                &v("genesis.json"),
                "--out",
                &png,
            ],
        )
    };
    for (show, level) in [
        ("证照名称,持证人,有效期", "M"),
        (
            "证照名称,持证人,统一社会信用代码,法定代表人,有效期,经营范围",
            "L",
        ),
    ] {
        let o = encode(show);
        assert_eq!(code(&o), 0, "{}", text(&o));
        assert!(
            text(&o).contains(&format!("error correction {level}")),
            "{}",
            text(&o)
        );
        let o = run(
            d,
            &[
                "verify",
                "--qr",
                &png,
                "--genesis",
                &v("genesis.json"),
                "--max-age",
                FOREVER,
                "--json",
            ],
        );
        assert_eq!(code(&o), 0, "{}", text(&o));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let names: Vec<&str> = j["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.join(","), show);
    }
    let o = encode("住所");
    assert_eq!(code(&o), 64, "{}", text(&o));
}
