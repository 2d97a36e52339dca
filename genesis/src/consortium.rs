//! The demonstration consortium: 广东省 (province), 深圳市 and 广州市 (cities)
//! and 深圳市南山区 (district), one validator each, with the issuer keys and
//! grants the demo needs.

use yinzheng_crypto::{SigningKey, Suite};
use yinzheng_ledger::codes::credit_code_check_char;
use yinzheng_ledger::genesis::{
    Authority, Committee, Genesis, GenesisGrant, GenesisKey, GenesisOrg, GenesisValidator, Level,
    Role,
};

use crate::Error;

/// The certificate type the demo issues (a business-licence-like code).
pub const CERT_TYPE: &str = "11100000000000133T";

/// The data item the demo's data-sharing exchange asks for (the province
/// holds the approval grant for it).
pub const SHARE_ITEM: &str = "营业执照信息";

/// A full credit code from its first 17 characters.
pub fn credit_code(stem: &str) -> String {
    match credit_code_check_char(stem) {
        Some(c) => format!("{stem}{c}"),
        None => stem.to_owned(),
    }
}

/// One department of the demonstration consortium.
#[derive(Debug, Clone)]
pub struct Department {
    /// Short name used for files and monikers.
    pub short: &'static str,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// Full name.
    pub name: &'static str,
    /// Level.
    pub level: Level,
    /// 行政区划代码.
    pub division: &'static str,
    /// Index of the parent department, if any.
    pub parent: Option<usize>,
}

/// The four departments, province first.
pub fn departments() -> Vec<Department> {
    vec![
        Department {
            short: "province",
            credit_code: credit_code("11440000MB2C50123"),
            name: "广东省政务服务数据管理局",
            level: Level::Province,
            division: "440000",
            parent: None,
        },
        Department {
            short: "shenzhen",
            credit_code: credit_code("11440300MB2C50456"),
            name: "深圳市市场监督管理局",
            level: Level::City,
            division: "440300",
            parent: Some(0),
        },
        Department {
            short: "guangzhou",
            credit_code: credit_code("11440100MB2C50789"),
            name: "广州市公安局",
            level: Level::City,
            division: "440100",
            parent: Some(0),
        },
        Department {
            short: "nanshan",
            credit_code: credit_code("11440305MB2C50012"),
            name: "深圳市南山区政务服务中心",
            level: Level::District,
            division: "440305",
            parent: Some(1),
        },
    ]
}

/// The issuer keys of the demonstration consortium.
#[derive(Debug, Clone)]
pub struct IssuerKeys {
    /// Province administrator (consortium records, seals, data-sharing approval).
    pub province_admin: SigningKey,
    /// Shenzhen administrator.
    pub shenzhen_admin: SigningKey,
    /// Guangzhou administrator (data-sharing requests and receipts).
    pub guangzhou_admin: SigningKey,
    /// Shenzhen operator (issues certificates, delivers shared data).
    pub shenzhen_operator: SigningKey,
    /// Nanshan district operator.
    pub nanshan_operator: SigningKey,
}

impl IssuerKeys {
    /// Fresh keys.
    pub fn generate(suite: Suite) -> Result<IssuerKeys, Error> {
        let k = || {
            SigningKey::generate(suite).map_err(|e| Error::Key {
                what: "issuer".into(),
                reason: e.to_string(),
            })
        };
        Ok(IssuerKeys {
            province_admin: k()?,
            shenzhen_admin: k()?,
            guangzhou_admin: k()?,
            shenzhen_operator: k()?,
            nanshan_operator: k()?,
        })
    }

    /// (file stem, key) pairs.
    pub fn named(&self) -> [(&'static str, &SigningKey); 5] {
        [
            ("province-admin", &self.province_admin),
            ("shenzhen-admin", &self.shenzhen_admin),
            ("guangzhou-admin", &self.guangzhou_admin),
            ("shenzhen-operator", &self.shenzhen_operator),
            ("nanshan-operator", &self.nanshan_operator),
        ]
    }
}

fn hexkey(k: &SigningKey) -> String {
    hex::encode(k.verifying_key().to_bytes())
}

/// The genesis of the demonstration consortium with these validators (one
/// consensus public key per department, in department order).
pub fn demo_genesis(
    chain_id: &str,
    suite: Suite,
    genesis_time_ms: u64,
    validator_keys: &[Vec<u8>],
    issuers: &IssuerKeys,
) -> Result<Genesis, Error> {
    let deps = departments();
    let code = |i: usize| deps[i].credit_code.clone();
    let key = |org: usize, k: &SigningKey, role: Role| GenesisKey {
        org: code(org),
        public_key: hexkey(k),
        role,
        distid: String::new(),
    };
    let g = Genesis {
        chain_id: chain_id.into(),
        suite: suite.name().into(),
        genesis_time_ms,
        committee: Committee {
            members: vec![code(0), code(1), code(2)],
            threshold: 2,
        },
        organisations: deps
            .iter()
            .map(|d| GenesisOrg {
                credit_code: d.credit_code.clone(),
                name: d.name.into(),
                level: d.level,
                division: d.division.into(),
                parent: d.parent.map(code).unwrap_or_default(),
            })
            .collect(),
        keys: vec![
            key(0, &issuers.province_admin, Role::Admin),
            key(1, &issuers.shenzhen_admin, Role::Admin),
            key(2, &issuers.guangzhou_admin, Role::Admin),
            key(1, &issuers.shenzhen_operator, Role::Operator),
            key(3, &issuers.nanshan_operator, Role::Operator),
        ],
        grants: vec![
            GenesisGrant {
                org: code(1),
                kind: Authority::Certificate,
                scope: CERT_TYPE.into(),
                region: "440300".into(),
            },
            GenesisGrant {
                org: code(0),
                kind: Authority::Seal,
                scope: String::new(),
                region: "440000".into(),
            },
            GenesisGrant {
                org: code(0),
                kind: Authority::ShareApproval,
                scope: SHARE_ITEM.into(),
                region: "440000".into(),
            },
        ],
        validators: validator_keys
            .iter()
            .enumerate()
            .map(|(i, pk)| GenesisValidator {
                org: code(i % deps.len()),
                public_key: hex::encode(pk),
                power: 1,
            })
            .collect(),
        endpoints: Vec::new(),
    };
    // Round-trip through JSON: the same checks a node applies when it loads it.
    Genesis::from_json(&g.to_json()).map_err(|e| Error::Genesis(e.0))
}
