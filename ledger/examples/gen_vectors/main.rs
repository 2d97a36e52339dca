//! Writes the committed bundle test vectors to `tests/vectors/` (run from the
//! repository root: `cargo run -p yinzheng-ledger --example gen_vectors`).
//!
//! Keys and SM2 nonces are random, so each run writes new bytes; the files in
//! the repository are one such run, and `ledger/tests/it/vectors.rs` checks
//! that every one of them still gives its recorded verdict.

#![allow(clippy::unwrap_used, clippy::cast_possible_truncation)]

mod ecert;
#[path = "../../tests/it/ecert_fixture.rs"]
#[allow(dead_code)]
mod ecert_fixture;
mod faulty;
mod fields;
#[path = "../../tests/it/fixture.rs"]
#[allow(dead_code)]
mod fixture;

use prost::Message;
use yinzheng_ledger::crypto::{SigningKey, Suite};
use yinzheng_ledger::proto::{self, record_body::Kind};

fn main() {
    let dir = std::path::Path::new("tests/vectors");
    std::fs::create_dir_all(dir).unwrap();
    let mut f = fixture::Fixture::new();
    let cert_file = "电子营业执照 NO-1 (sample certificate file)\n".as_bytes();
    let a = f.issue_record("NO-1", cert_file);
    let b = f.issue_record("NO-2", b"NO-2 v1");
    f.commit(&[a.clone(), b.clone()]);
    let revoke = f.record(
        Kind::RevokeCertificate(proto::RevokeCertificate {
            type_code: fixture::CERT_TYPE.into(),
            cert_no: "NO-2".into(),
            reason: proto::RevocationReason::IssuedInError as i32,
            issuer: f.city_a.clone(),
        }),
        &[&f.city_a_operator],
    );
    let c = f.issue_record("NO-3", b"NO-3 v1");
    f.commit(&[revoke, c.clone()]);
    let sup = f.record(
        Kind::SupersedeCertificate(proto::SupersedeCertificate {
            type_code: fixture::CERT_TYPE.into(),
            old_cert_no: "NO-3".into(),
            replacement: Some(f.issue("NO-3b", b"NO-3 v2")),
            ..Default::default()
        }),
        &[&f.city_a_operator],
    );
    let seal_key = SigningKey::generate(Suite::Sm).unwrap();
    let seal = f.record(
        Kind::RegisterSeal(proto::RegisterSeal {
            seal_id: "4403050001234".into(),
            owner: f.district.clone(),
            seal_type: 1,
            name: "深圳市南山区政务服务中心公章".into(),
            image_digest: f.params.suite.hash(b"seal image").0.to_vec(),
            seal_public_key: fixture::pk(&seal_key),
            valid_from_ms: 0,
            valid_until_ms: 0,
            ses_seal: Vec::new(),
        }),
        &[&f.province_admin],
    );
    f.commit(&[sup, seal.clone()]);
    let contract = "合同文本 (sample stamped document)\n".as_bytes();
    let stamp = f.record(
        Kind::Stamp(proto::Stamp {
            seal_id: "4403050001234".into(),
            document_digest: f.params.suite.hash(contract).0.to_vec(),
            ses_signature: Vec::new(),
        }),
        &[&seal_key],
    );
    f.commit(std::slice::from_ref(&stamp));
    // A national-format seal, registered; an OFD e-licence stamped with it;
    // the stamping anchored (seals.md §6–§7).
    let national = fixture::NationalSeal::new(f.time, b"\x89PNG\r\n\x1a\n seal picture");
    let national_reg = f.record(
        Kind::RegisterSeal(national.register(&f.district)),
        &[&f.province_admin],
    );
    f.try_commit(national_reg.clone()).unwrap();
    let licence = yinzheng_seal::ofd::text_document(
        "建筑工程施工许可证",
        &["编号 440305202612020001", "建设单位 深圳市某某建设有限公司"],
    )
    .unwrap();
    let licence = yinzheng_seal::seal_ofd(
        &licence,
        &yinzheng_seal::SealRequest {
            seal: &national.seal,
            key: &national.signer,
            cert: &national.signer_cert,
            time: i64::try_from(f.time / 1000).unwrap() - 60,
            boundary: (120, 200, 40, 40),
        },
    )
    .unwrap();
    let pkg = yinzheng_seal::ofd::Package::open(&licence, Default::default()).unwrap();
    let ses = pkg
        .get("Doc_0/Signs/Sign_0/SignedValue.dat")
        .unwrap()
        .to_vec();
    let national_stamping = f.record(
        Kind::Stamp(fixture::NationalSeal::anchor(ses)),
        &[&f.district_operator],
    );
    f.try_commit(national_stamping.clone()).unwrap();
    let ecerts = ecert::commit(&mut f, &national);
    // A certificate with six display fields (records.md §3.2).
    let shown = fields::commit(&mut f);
    // A certificate whose window ended right after issuance, and one whose
    // window starts in twenty years.
    let mut e = f.issue("NO-5", b"NO-5 v1");
    e.valid_until_ms = f.time + 1;
    let expired = f.record(Kind::IssueCertificate(e), &[&f.city_a_operator]);
    let mut n = f.issue("NO-6", b"NO-6 v1");
    n.valid_from_ms = fixture::T0 + 20 * 365 * 24 * 3600 * 1000;
    n.valid_until_ms = 0;
    let not_yet = f.record(Kind::IssueCertificate(n), &[&f.city_a_operator]);
    f.commit(&[expired.clone(), not_yet.clone()]);

    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    write("genesis.json", f.genesis.to_json().as_bytes());
    write(
        "genesis.hash",
        format!("{}\n", f.genesis.hash().unwrap().to_hex()).as_bytes(),
    );
    write("certificate-NO-1.txt", cert_file);
    write("contract.txt", contract);
    let full = f.chain.bundle(&a.id(), true).unwrap();
    let compact = f.chain.bundle(&a.id(), false).unwrap();
    write("valid-full.bundle", &full.encode_to_vec());
    write("valid-compact.bundle", &compact.encode_to_vec());
    write(
        "revoked-full.bundle",
        &f.chain.bundle(&b.id(), true).unwrap().encode_to_vec(),
    );
    // The same certificate's compact bundle: what a QR printed before the
    // revocation carries (status as of issuance: valid).
    write(
        "revoked-compact.bundle",
        &f.chain.bundle(&b.id(), false).unwrap().encode_to_vec(),
    );
    write(
        "superseded-full.bundle",
        &f.chain.bundle(&c.id(), true).unwrap().encode_to_vec(),
    );
    write(
        "stamp-compact.bundle",
        &f.chain.bundle(&stamp.id(), false).unwrap().encode_to_vec(),
    );
    write(
        "stamp-full.bundle",
        &f.chain.bundle(&stamp.id(), true).unwrap().encode_to_vec(),
    );

    write(
        "expired-full.bundle",
        &f.chain.bundle(&expired.id(), true).unwrap().encode_to_vec(),
    );
    write(
        "not-yet-valid-full.bundle",
        &f.chain.bundle(&not_yet.id(), true).unwrap().encode_to_vec(),
    );
    let seal_full = f.chain.bundle(&seal.id(), true).unwrap();
    write("seal-full.bundle", &seal_full.encode_to_vec());
    write("national-licence.ofd", &licence);
    write(
        "national-seal-full.bundle",
        &f.chain
            .bundle(&national_reg.id(), true)
            .unwrap()
            .encode_to_vec(),
    );
    write(
        "national-stamping-full.bundle",
        &f.chain
            .bundle(&national_stamping.id(), true)
            .unwrap()
            .encode_to_vec(),
    );

    // Invalid ones, each damaged at one place.
    let mut x = full.clone();
    x.version = 2;
    write("invalid-step0-version.bundle", &x.encode_to_vec());
    write(
        "invalid-step0-oversize.bundle",
        &vec![0u8; yinzheng_ledger::MAX_BUNDLE_BYTES + 1],
    );
    let mut x = full.clone();
    x.anchor.as_mut().unwrap().header.as_mut().unwrap().chain_id = "another-chain".into();
    write("invalid-step2-wrong-chain.bundle", &x.encode_to_vec());
    let mut x = f.chain.bundle(&stamp.id(), true).unwrap();
    x.status.as_mut().unwrap().checkpoint = full.anchor.clone();
    write(
        "invalid-step2-status-before-anchor.bundle",
        &x.encode_to_vec(),
    );
    let mut x = full.clone();
    x.status.as_mut().unwrap().state.as_mut().unwrap().log_size += 1;
    write("invalid-step3-state.bundle", &x.encode_to_vec());
    let mut x = full.clone();
    x.status.as_mut().unwrap().log_path[0] ^= 1;
    write("invalid-step3-log-path.bundle", &x.encode_to_vec());
    let mut x = full.clone();
    x.anchor
        .as_mut()
        .unwrap()
        .certificate
        .as_mut()
        .unwrap()
        .signatures[7] ^= 1;
    write("invalid-step2-signature.bundle", &x.encode_to_vec());
    let mut x = full.clone();
    let n = x.record.len();
    x.record[n - 1] ^= 1;
    write("invalid-step3-record.bundle", &x.encode_to_vec());
    let mut x = full.clone();
    let e = &mut x.status.as_mut().unwrap().entries[0];
    let n = e.value.len();
    e.value[n - 1] ^= 1;
    write("invalid-step5-status.bundle", &x.encode_to_vec());
    let bytes = compact.encode_to_vec();
    write("invalid-step0-truncated.bundle", &bytes[..bytes.len() / 2]);
    write(
        "invalid-step0-garbage.bundle",
        b"%PDF-1.7 this is not a bundle",
    );

    // All four validators replaced (effective at the change's height + 2), a
    // certificate issued under the new set, and what the retired validators
    // can still make: their own chain from genesis, certified by their keys,
    // with a certificate nobody issued (bundle.md §6.1).
    let retired = f.rotate_validators();
    let rotated = f.issue_record("NO-4", b"NO-4 v1");
    f.commit(std::slice::from_ref(&rotated));
    let rotated_full = f.chain.bundle(&rotated.id(), true).unwrap();
    write("rotated-full.bundle", &rotated_full.encode_to_vec());
    let mut x = rotated_full.clone();
    x.validator_changes[0]
        .validators
        .as_mut()
        .unwrap()
        .validators[0]
        .power = 5;
    write("invalid-step1-next-set.bundle", &x.encode_to_vec());
    let mut forged = yinzheng_ledger::MemChain::new(&f.genesis).unwrap();
    let signers: Vec<(u32, &SigningKey)> = (0..3).map(|i| (i, &retired[i as usize])).collect();
    let fake = f.issue_record("FORGED-1", b"a forged licence");
    let mut t = f.time;
    loop {
        t += 1000;
        let h = forged.height() + 1;
        let records = if h == f.chain.height() + 2 {
            vec![fake.clone()]
        } else {
            Vec::new()
        };
        let (header, _) = forged.produce(&records, t, 0).unwrap();
        let cert = yinzheng_ledger::sign_commit(Suite::Sm, &header, 0, &signers).unwrap();
        forged.certify(header.height, cert).unwrap();
        if !records.is_empty() {
            break;
        }
    }
    write(
        "retired-forged.bundle",
        &forged.bundle(&fake.id(), false).unwrap().encode_to_vec(),
    );

    // What a faulty quorum could certify, and the codes that refuse it.
    let faulty = faulty::vectors(&mut f, "4403050001234");
    for v in &faulty {
        write(v.name, &v.bundle);
    }

    // The same consortium layout with other keys: nothing verifies under it.
    let other = fixture::Fixture::new();
    write("other-genesis.json", other.genesis.to_json().as_bytes());
    // The trusted genesis with one organisation renamed: same chain id, same
    // validators, another genesis hash (bundle.md §6 step 2).
    let mut doctored = f.genesis.clone();
    doctored.organisations[1].name = "某市某局".into();
    write("doctored-genesis.json", doctored.to_json().as_bytes());

    // The manifest: each case's expected verdict, and the record id (the hash
    // of the signed message, records.md §1) of every genuine one.
    let ok = |bundle: &str,
              file: Option<&str>,
              status: &str,
              id: &yinzheng_ledger::crypto::Digest| {
        let file = file
            .map(|f| format!(r#", "file": "{f}""#))
            .unwrap_or_default();
        format!(
            r#"  {{"bundle": "{bundle}", "genesis": "genesis.json"{file}, "status": "{status}", "record_id": "{}"}}"#,
            id.to_hex()
        )
    };
    let bad = |bundle: &str, genesis: &str, file: Option<&str>, step: u8, code: &str| {
        let file = file
            .map(|f| format!(r#", "file": "{f}""#))
            .unwrap_or_default();
        format!(
            r#"  {{"bundle": "{bundle}", "genesis": "{genesis}"{file}, "status": "invalid", "step": {step}, "code": "{code}"}}"#
        )
    };
    let cert = Some("certificate-NO-1.txt");
    let lines = [
        ok("valid-full.bundle", cert, "valid", &a.id()),
        ok("valid-compact.bundle", cert, "valid", &a.id()),
        ok(
            "national-seal-full.bundle",
            None,
            "valid",
            &national_reg.id(),
        ),
        ok(
            "national-stamping-full.bundle",
            None,
            "valid",
            &national_stamping.id(),
        ),
        ok("revoked-full.bundle", None, "revoked", &b.id()),
        ok("revoked-compact.bundle", None, "valid", &b.id()),
        ok("superseded-full.bundle", None, "superseded", &c.id()),
        ok(
            "stamp-compact.bundle",
            Some("contract.txt"),
            "valid",
            &stamp.id(),
        ),
        ok(
            "stamp-full.bundle",
            Some("contract.txt"),
            "valid",
            &stamp.id(),
        ),
        bad(
            "valid-full.bundle",
            "genesis.json",
            Some("contract.txt"),
            7,
            "FILE_MISMATCH",
        ),
        bad(
            "valid-full.bundle",
            "other-genesis.json",
            None,
            2,
            "WRONG_CHAIN",
        ),
        bad(
            "valid-full.bundle",
            "doctored-genesis.json",
            None,
            2,
            "WRONG_CHAIN",
        ),
        bad(
            "valid-compact.bundle",
            "doctored-genesis.json",
            None,
            2,
            "COMMIT_CERTIFICATE",
        ),
        bad(
            "invalid-step2-signature.bundle",
            "genesis.json",
            None,
            2,
            "COMMIT_CERTIFICATE",
        ),
        bad(
            "invalid-step3-record.bundle",
            "genesis.json",
            None,
            3,
            "INCLUSION_PROOF",
        ),
        bad(
            "invalid-step5-status.bundle",
            "genesis.json",
            None,
            5,
            "STATUS_PROOF",
        ),
        bad(
            "invalid-step0-truncated.bundle",
            "genesis.json",
            None,
            0,
            "MALFORMED",
        ),
        bad(
            "invalid-step0-garbage.bundle",
            "genesis.json",
            None,
            0,
            "MALFORMED",
        ),
        ok("expired-full.bundle", None, "expired", &expired.id()),
        ok(
            "not-yet-valid-full.bundle",
            None,
            "not_yet_valid",
            &not_yet.id(),
        ),
        ok("seal-full.bundle", None, "valid", &seal.id()),
        bad(
            "seal-full.bundle",
            "genesis.json",
            Some("contract.txt"),
            7,
            "NO_FILE_DIGEST",
        ),
        bad(
            "invalid-step0-version.bundle",
            "genesis.json",
            None,
            0,
            "VERSION",
        ),
        bad(
            "invalid-step0-oversize.bundle",
            "genesis.json",
            None,
            0,
            "OVERSIZE",
        ),
        bad(
            "invalid-step2-wrong-chain.bundle",
            "genesis.json",
            None,
            2,
            "WRONG_CHAIN",
        ),
        bad(
            "invalid-step2-status-before-anchor.bundle",
            "genesis.json",
            None,
            2,
            "STATUS_BEFORE_ANCHOR",
        ),
        bad(
            "invalid-step3-state.bundle",
            "genesis.json",
            None,
            3,
            "STATE_COMMITMENTS",
        ),
        bad(
            "invalid-step3-log-path.bundle",
            "genesis.json",
            None,
            3,
            "LOG_INCLUSION_PROOF",
        ),
        bad(
            "invalid-step1-next-set.bundle",
            "genesis.json",
            None,
            1,
            "VALIDATOR_CHAIN",
        ),
        ok("rotated-full.bundle", None, "valid", &rotated.id()),
        // Checked by a verifier that verified rotated-full.bundle first.
        bad(
            "retired-forged.bundle",
            "genesis.json",
            None,
            1,
            "SUPERSEDED_SET",
        )
        .replace(
            r#", "status""#,
            r#", "after": ["rotated-full.bundle"], "status""#,
        ),
    ];
    let ecert_cases = ecert::write(&f, &ecerts, dir);
    let field_cases = fields::write(&f, &shown, dir);
    let lines: Vec<String> = lines
        .into_iter()
        .chain(
            ecert_cases
                .iter()
                .map(|(b, file, status, id)| ok(b, file.as_deref(), status, id)),
        )
        .chain(field_cases.iter().map(|c| match c {
            fields::Case::Ok(b, id) => ok(b, None, "valid", id),
            fields::Case::Bad(b) => bad(b, "genesis.json", None, 8, "FIELD_OPENING"),
        }))
        .collect::<Vec<_>>();
    let lines: Vec<String> = lines
        .into_iter()
        .chain(
            faulty
                .iter()
                .map(|v| bad(v.name, "genesis.json", None, v.step, v.code)),
        )
        .collect();
    write(
        "manifest.json",
        format!("[\n{}\n]\n", lines.join(",\n")).as_bytes(),
    );
    println!("wrote vectors to {}", dir.display());
}
