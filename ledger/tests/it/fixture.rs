//! A small consortium: a province, two cities, a district; four validators;
//! keys for each department; and helpers to commit records into a `MemChain`.

use yinzheng_ledger::codes::credit_code_check_char;
use yinzheng_ledger::crypto::{Signer, SigningKey, Suite};
use yinzheng_ledger::genesis::{
    Authority, Committee, Genesis, GenesisGrant, GenesisKey, GenesisOrg, GenesisValidator, Level,
    Role,
};
use yinzheng_ledger::proto::{self, RecordBody, record_body::Kind};
use yinzheng_ledger::{ChainParams, MemChain, Outcome, Record, Rejection, sign_commit};

pub const T0: u64 = 1_763_800_000_000; // genesis time (ms)
pub const CERT_TYPE: &str = "11100000000000133T"; // a certificate type code (营业执照-like)
pub const SHARE_ITEM: &str = "营业执照信息"; // the province approves sharing of this item

/// A credit code with a valid check character, from a 17-character stem.
pub fn code(stem: &str) -> String {
    format!("{stem}{}", credit_code_check_char(stem).unwrap())
}

pub fn hexs(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub struct Fixture {
    pub genesis: Genesis,
    pub params: ChainParams,
    pub chain: MemChain,
    pub validators: Vec<SigningKey>,
    pub province: String,
    pub city_a: String,
    pub city_b: String,
    pub district: String,
    pub province_admin: SigningKey,
    pub city_a_admin: SigningKey,
    pub city_b_admin: SigningKey,
    pub city_a_operator: SigningKey,
    pub district_operator: SigningKey,
    pub time: u64,
    /// Every block's candidates and time, in order (for replaying them
    /// elsewhere).
    pub produced: Vec<(Vec<Record>, u64)>,
    /// The id of the last `AuthoriseUse` made by [`Fixture::record_step`].
    pub last_authorisation: std::cell::Cell<Option<yinzheng_ledger::crypto::Digest>>,
}

impl Fixture {
    pub fn new() -> Fixture {
        Self::with_suite(Suite::Sm)
    }

    pub fn with_suite(suite: Suite) -> Fixture {
        let province = code("11440000MB2C50123");
        let city_a = code("11440300MB2C50456");
        let city_b = code("11440100MB2C50789");
        let district = code("11440305MB2C50012");
        let k = || SigningKey::generate(suite).unwrap();
        let (province_admin, city_a_admin, city_b_admin) = (k(), k(), k());
        let (city_a_operator, district_operator) = (k(), k());
        let validators: Vec<SigningKey> = (0..4).map(|_| k()).collect();
        let org = |c: &str, n: &str, l: Level, d: &str, p: &str| GenesisOrg {
            credit_code: c.into(),
            name: n.into(),
            level: l,
            division: d.into(),
            parent: p.into(),
        };
        let key = |o: &str, sk: &SigningKey, role: Role| GenesisKey {
            org: o.into(),
            public_key: hexs(&sk.verifying_key().to_bytes()),
            role,
            distid: String::new(),
        };
        let vorgs = [&province, &city_a, &city_b, &district];
        let genesis = Genesis {
            chain_id: "yz-test".into(),
            suite: suite.name().into(),
            genesis_time_ms: T0,
            committee: Committee {
                members: vec![province.clone(), city_a.clone(), city_b.clone()],
                threshold: 2,
            },
            organisations: vec![
                org(
                    &province,
                    "广东省政务服务数据管理局",
                    Level::Province,
                    "440000",
                    "",
                ),
                org(
                    &city_a,
                    "深圳市市场监督管理局",
                    Level::City,
                    "440300",
                    &province,
                ),
                org(&city_b, "广州市公安局", Level::City, "440100", &province),
                org(
                    &district,
                    "深圳市南山区政务服务中心",
                    Level::District,
                    "440305",
                    &city_a,
                ),
            ],
            keys: vec![
                key(&province, &province_admin, Role::Admin),
                key(&city_a, &city_a_admin, Role::Admin),
                key(&city_b, &city_b_admin, Role::Admin),
                key(&city_a, &city_a_operator, Role::Operator),
                key(&district, &district_operator, Role::Operator),
            ],
            grants: vec![
                GenesisGrant {
                    org: city_a.clone(),
                    kind: Authority::Certificate,
                    scope: CERT_TYPE.into(),
                    region: "440300".into(),
                },
                GenesisGrant {
                    org: province.clone(),
                    kind: Authority::Seal,
                    scope: String::new(),
                    region: "440000".into(),
                },
                GenesisGrant {
                    org: province.clone(),
                    kind: Authority::ShareApproval,
                    scope: SHARE_ITEM.into(),
                    region: "440000".into(),
                },
            ],
            validators: validators
                .iter()
                .zip(vorgs)
                .map(|(v, o)| GenesisValidator {
                    org: o.clone(),
                    public_key: hexs(&v.verifying_key().to_bytes()),
                    power: 1,
                })
                .collect(),
            endpoints: Vec::new(),
        };
        // The file round-trips through its JSON form.
        let genesis = Genesis::from_json(&genesis.to_json()).unwrap();
        let params = genesis.params().unwrap();
        let chain = MemChain::new(&genesis).unwrap();
        Fixture {
            genesis,
            params,
            chain,
            validators,
            province,
            city_a,
            city_b,
            district,
            province_admin,
            city_a_admin,
            city_b_admin,
            city_a_operator,
            district_operator,
            time: T0 + 1000,
            produced: Vec::new(),
            last_authorisation: std::cell::Cell::new(None),
        }
    }

    pub fn body(&self, kind: Kind) -> RecordBody {
        RecordBody {
            chain_id: self.params.chain_id.clone(),
            signed_at_ms: self.time,
            kind: Some(kind),
        }
    }

    pub fn record(&self, kind: Kind, signers: &[&SigningKey]) -> Record {
        let s: Vec<(&SigningKey, &str)> = signers.iter().map(|k| (*k, "")).collect();
        Record::create(&self.params, &self.body(kind), &s).unwrap()
    }

    /// Commit one block with these records, certified by validators 0..3.
    pub fn commit(&mut self, records: &[Record]) -> Vec<Outcome> {
        self.time += 2000;
        let (header, outcomes) = self.chain.produce(records, self.time, 0).unwrap();
        self.produced.push((records.to_vec(), self.time));
        self.certify(&header, &[0, 1, 2]);
        outcomes
    }

    pub fn certify(&mut self, header: &proto::Header, who: &[u32]) {
        let signers: Vec<(u32, &SigningKey)> = who
            .iter()
            .map(|i| (*i, &self.validators[*i as usize]))
            .collect();
        let cert = sign_commit(self.params.suite, header, 0, &signers).unwrap();
        self.chain.certify(header.height, cert).unwrap();
    }

    /// Commit one record and return its outcome's rejection, if any.
    pub fn try_commit(&mut self, r: Record) -> Result<u64, Rejection> {
        match self.commit(&[r]).pop().unwrap() {
            Outcome::Committed { log_index } => Ok(log_index),
            Outcome::Rejected(rej) => Err(rej),
        }
    }

    /// A validator set of these keys, one per department (province, city A,
    /// city B, district), power 1 each.
    pub fn validator_set(&self, keys: &[SigningKey]) -> Vec<proto::Validator> {
        keys.iter()
            .zip([&self.province, &self.city_a, &self.city_b, &self.district])
            .map(|(k, o)| proto::Validator {
                public_key: pk(k),
                power: 1,
                org: o.clone(),
            })
            .collect()
    }

    pub fn issue(&self, no: &str, file: &[u8]) -> proto::IssueCertificate {
        proto::IssueCertificate {
            type_code: CERT_TYPE.into(),
            cert_no: no.into(),
            issuer: self.city_a.clone(),
            holder_commitment: Suite::Sm.hash(b"salt||440305199001011234").0.to_vec(),
            file_digest: self.params.suite.hash(file).0.to_vec(),
            valid_from_ms: T0,
            valid_until_ms: T0 + 10 * 365 * 24 * 3600 * 1000,
            metadata_digest: Vec::new(),
            region: "440305".into(),
            ..Default::default()
        }
    }

    /// 深圳市南山区政务服务中心's official seal (id `4403050001234`), granted
    /// by the province, keyed by `key`, valid until `until` (0: open).
    pub fn seal(&self, key: &SigningKey, until: u64) -> proto::RegisterSeal {
        proto::RegisterSeal {
            seal_id: "4403050001234".into(),
            owner: self.district.clone(),
            seal_type: 1,
            name: "深圳市南山区政务服务中心公章".into(),
            image_digest: vec![7; 32],
            seal_public_key: pk(key),
            valid_from_ms: 0,
            valid_until_ms: until,
            ses_seal: Vec::new(),
        }
    }

    /// Replace all four validators through the committee: the change commits
    /// in one block, the old set signs one more, and the new keys sign from
    /// then on. Returns the retired keys.
    pub fn rotate_validators(&mut self) -> Vec<SigningKey> {
        let new_keys: Vec<SigningKey> = (0..4)
            .map(|_| SigningKey::generate(self.params.suite).unwrap())
            .collect();
        let change = self.record(
            Kind::ChangeValidators(proto::ChangeValidators {
                validators: self.validator_set(&new_keys),
            }),
            &[&self.province_admin, &self.city_b_admin],
        );
        self.try_commit(change).unwrap(); // the new set signs from two heights later
        self.commit(&[]);
        std::mem::replace(&mut self.validators, new_keys)
    }

    /// One record of every kind, in an order the rules accept, with the
    /// keys that sign each.
    pub fn every_kind_steps(&self) -> Vec<(Kind, Vec<SigningKey>)> {
        let new_org = code("11440106MB2C50345");
        let new_key = SigningKey::generate(Suite::Sm).unwrap();
        let seal_key = SigningKey::generate(Suite::Sm).unwrap();
        let peer_key = SigningKey::generate(Suite::Intl).unwrap();
        let national = NationalSeal::new(self.time, b"\x89PNG\r\n\x1a\n");
        let city_b_admin = self.city_b_admin.clone();
        let province_admin = self.province_admin.clone();
        let city_a_admin = self.city_a_admin.clone();
        let op = self.city_a_operator.clone();
        let grant = proto::GrantAuthority {
            org: new_org.clone(),
            kind: 1,
            scope: CERT_TYPE.into(),
            region: "440106".into(),
        };
        let replacement = {
            let mut c = self.issue("NO-2", b"second file");
            c.valid_from_ms += 1;
            c
        };
        vec![
            (
                Kind::RegisterOrg(proto::RegisterOrg {
                    credit_code: new_org.clone(),
                    name: "广州市天河区政务服务中心".into(),
                    level: 4,
                    division: "440106".into(),
                    parent: self.city_b.clone(),
                }),
                vec![city_b_admin.clone()],
            ),
            (
                Kind::UpdateOrg(proto::UpdateOrg {
                    credit_code: new_org.clone(),
                    name: "广州市天河区政务服务数据管理局".into(),
                    ..Default::default()
                }),
                vec![city_b_admin.clone()],
            ),
            (
                Kind::RegisterKey(proto::RegisterKey {
                    org: new_org.clone(),
                    public_key: pk(&new_key),
                    distid: String::new(),
                    role: 2,
                    not_before_ms: 0,
                    not_after_ms: 0,
                }),
                vec![city_b_admin.clone()],
            ),
            (
                Kind::RevokeKey(proto::RevokeKey {
                    public_key: pk(&new_key),
                    reason: "rotated".into(),
                }),
                vec![city_b_admin.clone()],
            ),
            (Kind::Grant(grant.clone()), vec![city_b_admin.clone()]),
            (
                Kind::RevokeGrant(proto::RevokeGrant {
                    org: grant.org.clone(),
                    kind: grant.kind,
                    scope: grant.scope.clone(),
                    region: grant.region.clone(),
                }),
                vec![city_b_admin.clone()],
            ),
            (
                Kind::ChangeValidators(proto::ChangeValidators {
                    validators: self.validator_set(&self.validators),
                }),
                vec![province_admin.clone(), city_a_admin.clone()],
            ),
            (
                Kind::RegisterPeer(proto::RegisterPeer {
                    org: self.city_a.clone(),
                    peer_public_key: pk(&peer_key),
                    role: 1,
                }),
                vec![city_a_admin.clone()],
            ),
            (
                Kind::RemovePeer(proto::RemovePeer {
                    peer_public_key: pk(&peer_key),
                    reason: "decommissioned".into(),
                }),
                vec![city_a_admin.clone()],
            ),
            (
                Kind::IssueCertificate(self.issue("NO-1", b"file")),
                vec![op.clone()],
            ),
            (
                Kind::SupersedeCertificate(proto::SupersedeCertificate {
                    type_code: CERT_TYPE.into(),
                    old_cert_no: "NO-1".into(),
                    replacement: Some(replacement),
                    ..Default::default()
                }),
                vec![op.clone()],
            ),
            (
                Kind::RevokeCertificate(proto::RevokeCertificate {
                    type_code: CERT_TYPE.into(),
                    cert_no: "NO-2".into(),
                    reason: 2,
                    issuer: self.city_a.clone(),
                }),
                vec![op.clone()],
            ),
            (
                Kind::RegisterSeal(self.seal(&seal_key, 0)),
                vec![province_admin.clone()],
            ),
            (
                Kind::Stamp(proto::Stamp {
                    seal_id: "4403050001234".into(),
                    document_digest: vec![3; 32],
                    ses_signature: Vec::new(),
                }),
                vec![seal_key.clone()],
            ),
            (
                Kind::RevokeSeal(proto::RevokeSeal {
                    seal_id: "4403050001234".into(),
                    reason: 4,
                }),
                vec![province_admin.clone()],
            ),
            (
                Kind::RegisterSeal(national.register(&self.district)),
                vec![province_admin.clone()],
            ),
            (
                Kind::Stamp(NationalSeal::anchor(
                    national.sign(self.time - 60_000, &[6; 32]),
                )),
                vec![self.district_operator.clone()],
            ),
            (
                Kind::ShareRequest(proto::ShareRequest {
                    request_id: "REQ-1".into(),
                    requester: self.city_b.clone(),
                    provider: self.city_a.clone(),
                    approver: self.province.clone(),
                    data_item: SHARE_ITEM.into(),
                    legal_basis: "《优化营商环境条例》第三十七条".into(),
                    holder_commitment: vec![9; 32],
                }),
                vec![city_b_admin.clone()],
            ),
            (
                Kind::ShareDecision(proto::ShareDecision {
                    request_id: "REQ-1".into(),
                    approved: true,
                    reason: String::new(),
                }),
                vec![province_admin.clone()],
            ),
            (
                Kind::ShareDelivery(proto::ShareDelivery {
                    request_id: "REQ-1".into(),
                    payload_digest: vec![5; 32],
                    item_count: 1,
                }),
                vec![op.clone()],
            ),
            (
                Kind::ShareReceipt(proto::ShareReceipt {
                    request_id: "REQ-1".into(),
                    payload_digest: vec![5; 32],
                }),
                vec![city_b_admin.clone()],
            ),
        ]
        .into_iter()
        .chain(self.national_certificate_steps())
        .collect()
    }

    /// A record of one of [`Fixture::every_kind_steps`]: a use's
    /// authorisation (all zeros in the step) is the last authorisation made.
    pub fn record_step(&self, mut kind: Kind, signers: &[&SigningKey]) -> Record {
        if let Kind::UseCertificate(u) = &mut kind
            && u.authorisation == [0; 32]
            && let Some(a) = self.last_authorisation.get()
        {
            u.authorisation = a.0.to_vec();
        }
        let r = self.record(kind, signers);
        if r.kind() == yinzheng_ledger::RecordKind::AuthoriseUse {
            self.last_authorisation.set(Some(r.id()));
        }
        r
    }

    /// The national-form steps of [`Fixture::every_kind_steps`]: a type
    /// registered by the province, city A granted to issue it and the
    /// district to record authorisations, a certificate issued, suspended and
    /// lifted, an authorisation, a use.
    fn national_certificate_steps(&self) -> Vec<(Kind, Vec<SigningKey>)> {
        use yinzheng_ledger::ecert::EcertId;
        let type_code = format!("{}001", self.province);
        let id = EcertId::new_standard(&type_code, &self.city_a, "7001", 1)
            .unwrap()
            .to_text();
        let holder = Suite::Sm.hash(b"salt-and-holder").0.to_vec();
        let status = |s: proto::EcertStatus| {
            Kind::SetCertificateStatus(proto::SetCertificateStatus {
                identifier: id.clone(),
                status: s as i32,
                note: String::new(),
            })
        };
        let (province, op) = (self.province_admin.clone(), self.city_a_operator.clone());
        vec![
            (
                Kind::RegisterCertificateType(proto::RegisterCertificateType {
                    type_code: type_code.clone(),
                    name: "测试许可证".into(),
                    required_elements: Vec::new(),
                    holder_category: "自然人".into(),
                    item_code: String::new(),
                }),
                vec![province.clone()],
            ),
            (
                grant(&self.city_a, 1, &type_code, "440300"),
                vec![province.clone()],
            ),
            (
                grant(&self.district, 4, "", "440305"),
                vec![province.clone()],
            ),
            (
                Kind::IssueCertificate(proto::IssueCertificate {
                    type_code,
                    cert_no: "粤测 7001".into(),
                    issuer: self.city_a.clone(),
                    holder_commitment: holder.clone(),
                    file_digest: vec![3; 32],
                    valid_from_ms: T0,
                    metadata_digest: vec![4; 32],
                    region: "440305".into(),
                    identifier: id.clone(),
                    issued_date: "20251122".into(),
                    ..Default::default()
                }),
                vec![op.clone()],
            ),
            (status(proto::EcertStatus::Suspended), vec![op.clone()]),
            (status(proto::EcertStatus::Valid), vec![op]),
            (
                Kind::AuthoriseUse(proto::AuthoriseUse {
                    identifier: id.clone(),
                    user_org: self.city_b.clone(),
                    holder_commitment: holder,
                    not_after_ms: 0,
                    max_uses: 3,
                    code_digest: Vec::new(),
                }),
                vec![self.district_operator.clone()],
            ),
            (
                Kind::UseCertificate(proto::UseCertificate {
                    identifier: id,
                    authorisation: vec![0; 32],
                    item_code: "440100-GA-0001".into(),
                    business_no: "GZ-0001".into(),
                    purpose: "核验".into(),
                    ..Default::default()
                }),
                vec![self.city_b_admin.clone()],
            ),
        ]
    }

    pub fn issue_record(&self, no: &str, file: &[u8]) -> Record {
        self.record(
            Kind::IssueCertificate(self.issue(no, file)),
            &[&self.city_a_operator],
        )
    }
}

/// A grant of authority `kind` (records.proto `AuthorityKind`) over `scope`
/// in `region` to `org`.
pub fn grant(org: &str, kind: i32, scope: &str, region: &str) -> Kind {
    Kind::Grant(proto::GrantAuthority {
        org: org.into(),
        kind,
        scope: scope.into(),
        region: region.into(),
    })
}

/// A signing key's public key bytes.
pub fn pk(k: &SigningKey) -> Vec<u8> {
    k.verifying_key().to_bytes()
}

#[allow(dead_code)]
pub fn sign_raw(k: &SigningKey, m: &[u8]) -> Vec<u8> {
    k.sign(m).unwrap().to_bytes().to_vec()
}

/// A national-format (GB/T 38540) seal for 深圳市南山区政务服务中心: a seal
/// CA, a maker and a signer certificate made for the test, the seal, and
/// stampings of documents with it.
pub struct NationalSeal {
    pub signer: yinzheng_ledger::crypto::Sm2SigningKey,
    pub signer_cert: Vec<u8>,
    pub seal: Vec<u8>,
}

pub const NATIONAL_SEAL_ID: &str = "4403050009999";

impl NationalSeal {
    /// A seal valid for three years from a day before `t_ms`, admitting one
    /// signer; `picture` sets its size (real seals carry 5–30 KiB).
    pub fn new(t_ms: u64, picture: &[u8]) -> NationalSeal {
        use yinzheng_ledger::crypto::Sm2SigningKey;
        use yinzheng_seal::{CertSpec, SealSpec, issue_cert, make_seal};
        let t = i64::try_from(t_ms / 1000).unwrap();
        let year = 365 * 86_400;
        let key = || Sm2SigningKey::generate().unwrap();
        let (ca, maker, signer) = (key(), key(), key());
        let spec = |subject, serial, ca| CertSpec {
            subject,
            serial,
            not_before: t - year,
            not_after: t + 5 * year,
            ca,
        };
        let ca_cert = issue_cert(
            &spec("CN=Test Seal CA,C=CN", 1, true),
            &ca.verifying_key().to_bytes(),
            &ca,
            None,
        )
        .unwrap();
        let maker_cert = issue_cert(
            &spec("CN=Seal Maker,C=CN", 2, false),
            &maker.verifying_key().to_bytes(),
            &ca,
            Some(&ca_cert),
        )
        .unwrap();
        let signer_cert = issue_cert(
            &spec("CN=Nanshan,C=CN", 3, false),
            &signer.verifying_key().to_bytes(),
            &ca,
            Some(&ca_cert),
        )
        .unwrap();
        let seal = make_seal(
            &SealSpec {
                es_id: NATIONAL_SEAL_ID,
                name: "深圳市南山区政务服务中心电子印章",
                seal_type: 1,
                vid: "Yinzheng",
                created: t - 86_400,
                valid_start: t - 86_400,
                valid_end: t + 3 * year,
                picture_type: "PNG",
                picture,
                size_mm: (40, 40),
                signer_certs: vec![&signer_cert],
            },
            &maker,
            &maker_cert,
        )
        .unwrap();
        NationalSeal {
            signer,
            signer_cert,
            seal,
        }
    }

    /// The registration of this seal, owned by `owner`.
    pub fn register(&self, owner: &str) -> proto::RegisterSeal {
        yinzheng_ledger::national_seal_registration(&self.seal, owner).unwrap()
    }

    /// An `SES_Signature` over `data_hash`, signed at `t_ms`.
    pub fn sign(&self, t_ms: u64, data_hash: &[u8; 32]) -> Vec<u8> {
        yinzheng_seal::make_signature(
            &self.seal,
            &self.signer,
            &self.signer_cert,
            i64::try_from(t_ms / 1000).unwrap(),
            data_hash,
            "/Doc_0/Signs/Sign_0/Signature.xml",
        )
        .unwrap()
    }

    /// The stamp record body anchoring `ses_signature`.
    pub fn anchor(ses_signature: Vec<u8>) -> proto::Stamp {
        yinzheng_ledger::national_stamping(&ses_signature).unwrap()
    }
}
