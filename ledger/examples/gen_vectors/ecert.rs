//! National-form e-certificate vectors (`docs/spec/ecert.md` §8): a sealed
//! certificate OFD with its metadata, digests and holder commitment step by
//! step; bundles of a valid, a suspended and an ended certificate, of an
//! authorisation and a use; identifiers with their check characters.

use prost::Message;
use yinzheng_ledger::Record;
use yinzheng_ledger::crypto::Digest;
use yinzheng_ledger::ecert::{
    CertificateSpec, EcertId, build_certificate, holder_commitment, legacy_variant_check, mod37_36,
    parse_ecert_id,
};
use yinzheng_ledger::proto::{EcertStatus, record_body::Kind};

use crate::ecert_fixture::Ecert;
use crate::fixture::{Fixture, NationalSeal};

/// The records committed.
pub struct Made {
    file: Vec<u8>,
    metadata_text: String,
    salt: yinzheng_ledger::holder::HolderSalt,
    issue: Record,
    suspended: Record,
    withdrawn: Record,
    withdrawal: Record,
    authorisation: Record,
    use_record: Record,
}

/// Register the type, issue three certificates (one kept valid, one
/// suspended, one withdrawn), authorise and record one use.
pub fn commit(f: &mut Fixture, national: &NationalSeal) -> Made {
    let e = Ecert::setup(f);
    let id = e.id(f, "2025112201", 1);
    let metadata = e.metadata(f, &id);
    let entries: Vec<(String, String)> = metadata
        .elements
        .iter()
        .map(|x| (x.name.clone(), x.value.clone()))
        .collect();
    let built = build_certificate(CertificateSpec {
        entries,
        serial: None,
        salt_seed: [7; 32],
        required: &["certificateEffectiveDate".into()],
        face: Some((b"\x89PNG\r\n\x1a\n face", "PNG")),
        region: "440305",
        seal: yinzheng_seal::SealRequest {
            seal: &national.seal,
            key: &national.signer,
            cert: &national.signer_cert,
            time: i64::try_from(f.time / 1000).unwrap() - 60,
            boundary: (140, 220, 40, 40),
        },
        suite: f.params.suite,
    })
    .unwrap();
    let salt = built.metadata.salts().unwrap().remove(0);
    let issue = f.record(
        Kind::IssueCertificate(built.issue.clone()),
        &[&f.city_a_operator],
    );
    let other = |f: &Fixture, serial: &str| {
        let id = e.id(f, serial, 1);
        (id.clone(), e.issue_record(f, &id))
    };
    let (sid, suspended) = other(f, "2025112202");
    let (wid, withdrawn) = other(f, "2025112203");
    f.commit(&[issue.clone(), suspended.clone(), withdrawn.clone()]);
    let suspension = Ecert::status(f, &sid, EcertStatus::Suspended);
    let withdrawal = Ecert::status(f, &wid, EcertStatus::Withdrawn);
    let mut authorise = Ecert::authorise(f, &id, 0, 2);
    // The holder commitment of the built certificate, not the fixture's.
    if let Some(Kind::AuthoriseUse(mut a)) = authorise.payload().cloned() {
        a.holder_commitment = built.issue.holder_commitment.clone();
        authorise = f.record(Kind::AuthoriseUse(a), &[&f.district_operator]);
    }
    f.commit(&[suspension, withdrawal.clone(), authorise.clone()]);
    let use_record = Ecert::use_record(f, &id, authorise.id(), "GZ-2025-0001");
    f.commit(std::slice::from_ref(&use_record));
    let metadata_text = built
        .metadata
        .elements
        .iter()
        .map(|x| format!("{} = {}\n", x.name, x.value))
        .collect();
    Made {
        file: built.file,
        metadata_text,
        salt,
        issue,
        suspended,
        withdrawn,
        withdrawal,
        authorisation: authorise,
        use_record,
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Write the files; the manifest cases `(bundle, file, status, record id)`.
pub fn write(
    f: &Fixture,
    m: &Made,
    dir: &std::path::Path,
) -> Vec<(String, Option<String>, &'static str, Digest)> {
    let sub = dir.join("ecert");
    std::fs::create_dir_all(&sub).unwrap();
    let w = |name: &str, bytes: &[u8]| std::fs::write(sub.join(name), bytes).unwrap();
    w("certificate.ofd", &m.file);
    w("metadata.txt", m.metadata_text.as_bytes());
    let mut cases = Vec::new();
    for (name, r, full, file, status) in [
        ("certificate-full.bundle", &m.issue, true, true, "valid"),
        ("certificate-compact.bundle", &m.issue, false, true, "valid"),
        (
            "suspended-full.bundle",
            &m.suspended,
            true,
            false,
            "suspended",
        ),
        (
            "withdrawn-full.bundle",
            &m.withdrawn,
            true,
            false,
            "revoked",
        ),
        (
            "withdrawal-full.bundle",
            &m.withdrawal,
            true,
            false,
            "revoked",
        ),
        (
            "authorisation-full.bundle",
            &m.authorisation,
            true,
            false,
            "valid",
        ),
        ("use-full.bundle", &m.use_record, true, false, "valid"),
    ] {
        w(
            name,
            &f.chain.bundle(&r.id(), full).unwrap().encode_to_vec(),
        );
        cases.push((
            format!("ecert/{name}"),
            file.then(|| "ecert/certificate.ofd".to_owned()),
            status,
            r.id(),
        ));
    }

    // The digests and the holder commitment, step by step.
    let Some(Kind::IssueCertificate(c)) = m.issue.payload() else {
        unreachable!()
    };
    let md = yinzheng_ledger::ecert::Metadata::from_entries(
        yinzheng_seal::ofd::document_custom_datas(&m.file)
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let holder = md.holders().unwrap().remove(0);
    let commitment = holder_commitment(&m.salt, &holder.type_code, &holder.code).unwrap();
    assert_eq!(commitment.0.to_vec(), c.holder_commitment);
    assert_eq!(md.digest().0.to_vec(), c.metadata_digest);
    let steps = serde_json::json!({
        "identifier": c.identifier,
        "metadata_canonical_hex": hex(&md.canonical_bytes()),
        "metadata_digest": md.digest().to_hex(),
        "file_digest": f.params.suite.hash(&m.file).to_hex(),
        "holder": {
            "salt_hex": m.salt.to_hex(),
            "type_code": holder.type_code,
            "code": holder.code,
            "commitment": commitment.to_hex(),
        },
        "issued_date": c.issued_date,
        "valid_from_ms": c.valid_from_ms,
        "valid_until_ms": c.valid_until_ms,
    });
    w(
        "certificate.json",
        format!("{}\n", serde_json::to_string_pretty(&steps).unwrap()).as_bytes(),
    );

    // Identifiers: the real ones cited, and made ones, with both check rules.
    let mut ids: Vec<String> = [
        "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
        "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
        "1.2.156.3005.2.11100000000013661B006.113700000045046442.209FA4E88F9E4C878F3E9BED2CE7EA49.001.M",
        "1.2.156.3005.2.11100000000013338W050.91610800064834709T.2023000001.001.X",
    ]
    .map(str::to_owned)
    .to_vec();
    ids.push(c.identifier.clone());
    let v: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| {
            let p = parse_ecert_id(id).unwrap();
            serde_json::json!({
                "identifier": id,
                "body": p.body(),
                "standard_check": mod37_36(&p.body()).unwrap().to_string(),
                "legacy_variant_check": legacy_variant_check(&p.body()).unwrap().to_string(),
                "kind": format!("{:?}", p.check_kind()),
            })
        })
        .collect();
    let bad = [
        (
            "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9",
            "issuer",
        ),
        (
            "1.2.156.3005.3.11100000000013338W032.11220000013544541J.2430599.001.F",
            "root",
        ),
        (
            "1.2.156.3005.2.11100000000013338W032.11220000013544541J.吉A0420.001.F",
            "serial",
        ),
        (
            "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.000.F",
            "version",
        ),
    ];
    for (id, _) in bad {
        assert!(parse_ecert_id(id).is_err(), "{id}");
    }
    let made = EcertId::new_standard(&c.type_code, &c.issuer, "1", 1).unwrap();
    let out = serde_json::json!({
        "parse": v,
        "refused": bad.iter().map(|(id, why)| serde_json::json!({"identifier": id, "segment": why})).collect::<Vec<_>>(),
        "made": made.to_text(),
    });
    w(
        "identifiers.json",
        format!("{}\n", serde_json::to_string_pretty(&out).unwrap()).as_bytes(),
    );
    cases
}
