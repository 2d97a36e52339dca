//! The genesis file: the consortium's definition and every verifier's trust root
//! (`docs/spec/genesis.md`). Parsing only; reading files is the caller's job.

use prost::Message;
use serde::{Deserialize, Serialize};
use yinzheng_crypto::{Digest, Suite, VerifyingKey};

use crate::codes::{division_level, validate_credit_code, validate_division};
use crate::params::ChainParams;
use crate::proto::{GrantState, KeyState, OrgState, Validator, ValidatorSet, ValidatorSetState};
use crate::state::{StateKey, WriteSet};

/// Why a genesis file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("genesis: {0}")]
pub struct GenesisError(pub String);

/// Organisation level names used in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// 国家级.
    National,
    /// 省级.
    Province,
    /// 市级.
    City,
    /// 区县级.
    District,
}

impl Level {
    fn number(self) -> i32 {
        match self {
            Level::National => 1,
            Level::Province => 2,
            Level::City => 3,
            Level::District => 4,
        }
    }
}

/// An organisation in the genesis file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisOrg {
    /// 统一社会信用代码.
    pub credit_code: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: Level,
    /// 行政区划代码.
    pub division: String,
    /// Parent's credit code; empty for a root.
    #[serde(default)]
    pub parent: String,
}

/// Key roles used in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Signs consortium records.
    Admin,
    /// Signs certificates, seals and data sharing.
    Operator,
}

/// A registered key in the genesis file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisKey {
    /// Owner's credit code.
    pub org: String,
    /// Public key, hex.
    pub public_key: String,
    /// Role.
    pub role: Role,
    /// SM2 distinguishing ID; empty for the default.
    #[serde(default)]
    pub distid: String,
}

/// Authority kinds used in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Authority {
    /// May issue certificates of a type.
    Certificate,
    /// May register seals.
    Seal,
    /// May approve data-sharing requests for a data item.
    #[serde(rename = "share_approval")]
    ShareApproval,
}

/// A grant in the genesis file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisGrant {
    /// Grantee.
    pub org: String,
    /// Kind.
    pub kind: Authority,
    /// Certificate type or data item (empty for seals).
    #[serde(default)]
    pub scope: String,
    /// Division code covered.
    pub region: String,
}

/// A validator in the genesis file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisValidator {
    /// Operating organisation.
    pub org: String,
    /// Consensus public key, hex.
    pub public_key: String,
    /// Voting power.
    pub power: u64,
}

/// The committee that approves consortium-wide changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Committee {
    /// Member organisations.
    pub members: Vec<String>,
    /// Distinct members that must co-sign.
    pub threshold: u32,
}

/// A parsed and checked genesis file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Chain identifier.
    pub chain_id: String,
    /// `sm` or `intl`.
    pub suite: String,
    /// Genesis time, ms since the Unix epoch.
    pub genesis_time_ms: u64,
    /// The committee.
    pub committee: Committee,
    /// Organisations, parents before children.
    pub organisations: Vec<GenesisOrg>,
    /// Registered keys.
    pub keys: Vec<GenesisKey>,
    /// Grants.
    #[serde(default)]
    pub grants: Vec<GenesisGrant>,
    /// The first validator set.
    pub validators: Vec<GenesisValidator>,
    /// Public read endpoints (`http(s)://` base URLs of members' nodes) where
    /// a verifier may ask for a fresh status proof (`docs/spec/node-api.md`
    /// `/v1`). Never trusted: their answers are verified like any bundle.
    /// Not part of the genesis hash; absent from the file when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
}

/// Most public endpoints a genesis lists.
pub const MAX_ENDPOINTS: usize = 16;

/// Longest endpoint URL, in bytes.
pub const MAX_ENDPOINT_LEN: usize = 200;

fn err<T>(m: impl Into<String>) -> Result<T, GenesisError> {
    Err(GenesisError(m.into()))
}

/// Validators in the file form (hex keys) as a set message.
pub(crate) fn validator_set_of(vs: &[GenesisValidator]) -> Result<ValidatorSet, GenesisError> {
    let validators = vs
        .iter()
        .map(|v| {
            Ok(Validator {
                public_key: unhex(&v.public_key)?,
                power: v.power,
                org: v.org.clone(),
            })
        })
        .collect::<Result<Vec<_>, GenesisError>>()?;
    Ok(ValidatorSet { validators })
}

/// A set message in the file form (hex keys).
pub(crate) fn file_validators(set: &ValidatorSet) -> Vec<GenesisValidator> {
    set.validators
        .iter()
        .map(|v| GenesisValidator {
            org: v.org.clone(),
            public_key: v.public_key.iter().map(|x| format!("{x:02x}")).collect(),
            power: v.power,
        })
        .collect()
}

pub(crate) fn unhex(s: &str) -> Result<Vec<u8>, GenesisError> {
    if !s.len().is_multiple_of(2) {
        return err(format!("odd-length hex {s:?}"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or_else(|| GenesisError(format!("bad hex {s:?}")))
        })
        .collect()
}

impl Genesis {
    /// Parse and check a genesis file's JSON text.
    pub fn from_json(text: &str) -> Result<Genesis, GenesisError> {
        let g: Genesis = serde_json::from_str(text).map_err(|e| GenesisError(e.to_string()))?;
        g.check()?;
        Ok(g)
    }

    /// Pretty JSON, as written to disk.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The suite.
    pub fn suite(&self) -> Result<Suite, GenesisError> {
        self.suite
            .parse()
            .map_err(|e: yinzheng_crypto::UnknownSuite| GenesisError(e.to_string()))
    }

    /// The genesis hash, the `prev_hash` of block 1: the suite hash of the
    /// compact JSON re-serialisation of this file, without `endpoints`.
    pub fn hash(&self) -> Result<Digest, GenesisError> {
        // The endpoints are where to ask, not what to trust: they may change
        // without making another chain (genesis.md §2).
        let mut hashed = self.clone();
        hashed.endpoints.clear();
        let bytes = serde_json::to_vec(&hashed).map_err(|e| GenesisError(e.to_string()))?;
        Ok(self.suite()?.hash(&bytes))
    }

    fn check(&self) -> Result<(), GenesisError> {
        let suite = self.suite()?;
        if self.chain_id.is_empty() || self.chain_id.len() > 64 {
            return err("chain_id must be 1 to 64 bytes");
        }
        let mut seen: Vec<&str> = Vec::new();
        for o in &self.organisations {
            validate_credit_code(&o.credit_code)
                .map_err(|e| GenesisError(format!("{}: {e:?}", o.credit_code)))?;
            if !validate_division(&o.division) || division_level(&o.division) != o.level.number() {
                return err(format!(
                    "{}: division {} does not fit {:?}",
                    o.credit_code, o.division, o.level
                ));
            }
            if !o.parent.is_empty() && !seen.contains(&o.parent.as_str()) {
                return err(format!(
                    "{}: parent {} must be listed before it",
                    o.credit_code, o.parent
                ));
            }
            if seen.contains(&o.credit_code.as_str()) {
                return err(format!("{} listed twice", o.credit_code));
            }
            seen.push(&o.credit_code);
        }
        let known = |c: &str| seen.contains(&c);
        for k in &self.keys {
            if !known(&k.org) {
                return err(format!("key of unknown organisation {}", k.org));
            }
            VerifyingKey::from_bytes(suite, &unhex(&k.public_key)?)
                .map_err(|e| GenesisError(format!("key of {}: {e}", k.org)))?;
        }
        for g in &self.grants {
            if !known(&g.org) || !validate_division(&g.region) {
                return err(format!("grant to {} in {} is invalid", g.org, g.region));
            }
        }
        if self.endpoints.len() > MAX_ENDPOINTS {
            return err(format!("at most {MAX_ENDPOINTS} endpoints"));
        }
        for e in &self.endpoints {
            let rest = e
                .strip_prefix("https://")
                .or_else(|| e.strip_prefix("http://"))
                .unwrap_or_default();
            let host = rest.split('/').next().unwrap_or_default();
            if e.len() > MAX_ENDPOINT_LEN
                || host.is_empty()
                || e.ends_with('/')
                || !e.bytes().all(|b| b.is_ascii_graphic())
                || e.contains(['#', '?'])
            {
                return err(format!(
                    "endpoint {e:?}: an http:// or https:// base URL without a trailing /, query or fragment, at most {MAX_ENDPOINT_LEN} bytes"
                ));
            }
        }
        if self.validators.is_empty() {
            return err("no validators");
        }
        let mut validator_keys: Vec<Vec<u8>> = Vec::new();
        for (i, v) in self.validators.iter().enumerate() {
            if !known(&v.org) || v.power == 0 {
                return err(format!("validator of {} is invalid", v.org));
            }
            let key = VerifyingKey::from_bytes(suite, &unhex(&v.public_key)?)
                .map_err(|e| GenesisError(format!("validator of {}: {e}", v.org)))?
                .to_bytes();
            // One key at several indices would sign for all of them.
            if validator_keys.contains(&key) {
                return err(format!("validator {i}: key repeated in the set"));
            }
            validator_keys.push(key);
        }
        if crate::block::total_power(self.validators.iter().map(|v| v.power)).is_none() {
            return err(format!(
                "the validators' total power is at most {}",
                crate::block::MAX_TOTAL_POWER
            ));
        }
        if self.committee.threshold == 0
            || usize::try_from(self.committee.threshold).unwrap_or(usize::MAX)
                > self.committee.members.len()
            || self.committee.members.iter().any(|m| !known(m))
        {
            return err("committee threshold must be between 1 and the number of known members");
        }
        Ok(())
    }

    /// Chain parameters.
    pub fn params(&self) -> Result<ChainParams, GenesisError> {
        let mut p = ChainParams::new(self.chain_id.clone(), self.suite()?);
        p.genesis_hash = self.hash()?;
        p.committee = self.committee.members.clone();
        p.committee_threshold = self.committee.threshold;
        Ok(p)
    }

    /// The first validator set.
    pub fn validator_set(&self) -> Result<ValidatorSet, GenesisError> {
        validator_set_of(&self.validators)
    }

    /// The state at height 0.
    pub fn initial_writes(&self) -> Result<WriteSet, GenesisError> {
        let mut w: WriteSet = Vec::new();
        for o in &self.organisations {
            let s = OrgState {
                name: o.name.clone(),
                level: o.level.number(),
                division: o.division.clone(),
                parent: o.parent.clone(),
                active: true,
                height: 0,
            };
            w.push((StateKey::Org(o.credit_code.clone()), s.encode_to_vec()));
        }
        for k in &self.keys {
            let s = KeyState {
                org: k.org.clone(),
                role: match k.role {
                    Role::Admin => 1,
                    Role::Operator => 2,
                },
                distid: k.distid.clone(),
                ..Default::default()
            };
            w.push((StateKey::Key(unhex(&k.public_key)?), s.encode_to_vec()));
        }
        for g in &self.grants {
            let key = StateKey::Grant {
                org: g.org.clone(),
                kind: match g.kind {
                    Authority::Certificate => 1,
                    Authority::Seal => 2,
                    Authority::ShareApproval => 3,
                },
                scope: g.scope.clone(),
                region: g.region.clone(),
            };
            w.push((
                key,
                GrantState {
                    active: true,
                    height: 0,
                }
                .encode_to_vec(),
            ));
        }
        let vs = ValidatorSetState {
            validators: self.validator_set()?.validators,
            since_height: 1,
        };
        w.push((StateKey::Validators, vs.encode_to_vec()));
        Ok(w)
    }
}
