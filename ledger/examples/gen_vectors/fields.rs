//! Display-field vectors (`docs/spec/records.md` §3.2, `bundle.md` step 8):
//! a certificate committing to six fields; its compact bundle with none,
//! three and six opened; one opening altered.

use prost::Message;
use yinzheng_ledger::Record;
use yinzheng_ledger::crypto::Digest;
use yinzheng_ledger::holder::{HolderSalt, field_commitment};
use yinzheng_ledger::proto::{FieldOpening, record_body::Kind};

use crate::fixture::Fixture;

/// The six fields: what a counter compares with the paper (the holder's
/// name and number masked, as printed).
pub const FIELDS: [(&str, &str); 6] = [
    ("证照名称", "营业执照"),
    ("持证人", "深圳某某科技有限公司"),
    ("统一社会信用代码", "91440300MA5G*****X"),
    ("法定代表人", "张*"),
    ("有效期", "2025年11月22日 至 长期"),
    ("经营范围", "软件开发；信息技术咨询服务"),
];

pub struct Made {
    record: Record,
    openings: Vec<FieldOpening>,
}

pub enum Case {
    Ok(String, Digest),
    Bad(String),
}

pub fn commit(f: &mut Fixture) -> Made {
    let seed = [9u8; 32];
    let mut c = f.issue("NO-7", b"NO-7 with fields");
    let mut openings = Vec::new();
    for (i, (name, value)) in FIELDS.iter().enumerate() {
        let salt = HolderSalt::from_seed(&seed, u32::try_from(i).unwrap());
        c.field_commitments
            .push(field_commitment(&salt, name, value).0.to_vec());
        openings.push(FieldOpening {
            index: u32::try_from(i).unwrap(),
            name: (*name).into(),
            value: (*value).into(),
            salt: salt.bytes().to_vec(),
        });
    }
    let record = f.record(Kind::IssueCertificate(c), &[&f.city_a_operator]);
    f.try_commit(record.clone()).unwrap();
    Made { record, openings }
}

pub fn write(f: &Fixture, m: &Made, dir: &std::path::Path) -> Vec<Case> {
    let compact = f.chain.bundle(&m.record.id(), false).unwrap();
    let mut cases = Vec::new();
    // The full bundle a node serves for it (no openings: those are the holder's).
    let full = f.chain.bundle(&m.record.id(), true).unwrap();
    std::fs::write(dir.join("fields-full.bundle"), full.encode_to_vec()).unwrap();
    cases.push(Case::Ok("fields-full.bundle".into(), m.record.id()));
    for (name, shown) in [
        ("fields-0-compact.bundle", vec![]),
        ("fields-3-compact.bundle", vec![0, 1, 4]),
        ("fields-6-compact.bundle", vec![0, 1, 2, 3, 4, 5]),
    ] {
        let mut b = compact.clone();
        b.fields = shown.iter().map(|&i| m.openings[i].clone()).collect();
        std::fs::write(dir.join(name), b.encode_to_vec()).unwrap();
        cases.push(Case::Ok(name.into(), m.record.id()));
    }
    let mut b = compact.clone();
    let mut wrong = m.openings[4].clone();
    wrong.value = "2025年11月22日 至 2035年11月21日".into();
    b.fields = vec![m.openings[0].clone(), wrong];
    std::fs::write(dir.join("invalid-step8-field.bundle"), b.encode_to_vec()).unwrap();
    cases.push(Case::Bad("invalid-step8-field.bundle".into()));
    let openings: Vec<serde_json::Value> = m
        .openings
        .iter()
        .map(|o| {
            serde_json::json!({
                "index": o.index, "name": o.name, "value": o.value,
                "salt": o.salt.iter().map(|x| format!("{x:02x}")).collect::<String>(),
            })
        })
        .collect();
    std::fs::write(
        dir.join("fields-openings.json"),
        format!("{}\n", serde_json::to_string_pretty(&openings).unwrap()),
    )
    .unwrap();
    cases
}
