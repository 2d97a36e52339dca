//! GB/T 36903 metadata as an OFD e-certificate carries it in
//! `DocInfo/CustomDatas`, and the one digest rule over it
//! (`docs/spec/ecert.md` §3).

use yinzheng_crypto::{Digest, Suite};

/// Domain prefix of the canonical metadata encoding.
pub const METADATA_DOMAIN: &[u8] = b"yinzheng/v1/ecert-metadata\0";

/// The element carrying each holder's commitment salt (hex, `;`-separated,
/// in holder order): ours, not GB/T 36903's, so a verifier holding the file
/// can recompute the holder commitments.
pub const SALT_ELEMENT: &str = "yinzhengHolderSalt";

/// Most elements and longest name / value accepted.
const MAX_ELEMENTS: usize = 256;
const MAX_NAME: usize = 128;
const MAX_VALUE: usize = 4096;

/// The GB/T 36903 §5.2 elements: standard English name, then the spellings
/// met in practice (pinyin short names, the appendix's spelling).
const ALIASES: &[(&str, &[&str])] = &[
    ("certificateName", &["ZZMC"]),
    ("certificateTypeCode", &["ZZLXDM"]),
    ("certificateNumber", &["ZZBH"]),
    ("certificateIdentifier", &["ZZBS", "Certificate_Identifier"]),
    ("certificateIssuingAuthorityName", &["ZZBFJG"]),
    ("certificateIssuingAuthorityCode", &["ZZBFJGDM"]),
    ("certificateIssuedDate", &["ZZBFRQ"]),
    ("certificateHolderName", &["CZZT"]),
    ("certificateHolderCode", &["CZZTDM"]),
    ("certificateHolderTypeName", &["CZZTDMLX"]),
    ("certificateHolderTypeCode", &["CZZTDMLXDM"]),
    ("certificateEffectiveDate", &["ZZYXQQSRQ"]),
    ("certificateExpiringDate", &["ZZYXQJZRQ"]),
];

/// The elements every national-form certificate carries.
pub const REQUIRED_ELEMENTS: &[&str] = &[
    "certificateName",
    "certificateTypeCode",
    "certificateNumber",
    "certificateIdentifier",
    "certificateIssuingAuthorityName",
    "certificateIssuedDate",
    "certificateHolderName",
    "certificateHolderCode",
    "certificateHolderTypeCode",
];

/// The standard English name of an element, if `name` is one of its
/// spellings; any other name is kept as it is.
pub fn canonical_name(name: &str) -> &str {
    for (std, aliases) in ALIASES {
        if name == *std || aliases.contains(&name) {
            return std;
        }
    }
    name
}

/// One element: its canonical name and its value as written, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Standard English name (or the name as found, for others).
    pub name: String,
    /// The value; multi-valued holder elements separate values with `;`.
    pub value: String,
}

/// Why metadata is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// An element is declared twice (after its name is made canonical).
    #[error("element {0} is declared twice")]
    Duplicate(String),
    /// A required element is missing or empty.
    #[error("required element {0} is missing")]
    Missing(String),
    /// Too many elements, or a name or value too long, or an empty name.
    #[error("metadata too large or malformed: {0}")]
    Size(String),
    /// The holder elements do not list the same number of values.
    #[error("holder names, codes and type codes differ in number")]
    Holders,
    /// A date is not `YYYY-MM-DD`, `YYYYMMDD` or `YYYY年M月D日` (or `长期`
    /// for an expiry), or the window ends before it starts.
    #[error("{0}")]
    Date(String),
}

/// A certificate's metadata, in document order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metadata {
    /// The elements.
    pub elements: Vec<Element>,
}

/// A holder as the metadata lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// 持证主体.
    pub name: String,
    /// 持证主体代码.
    pub code: String,
    /// 持证主体代码类型代码 (Annex A).
    pub type_code: String,
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

impl Metadata {
    /// Metadata from `(name, value)` pairs in document order: names made
    /// canonical, values trimmed of XML white space; a name declared twice,
    /// an empty name, or more than 256 elements / 128-byte names / 4096-byte
    /// values are refused.
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Metadata, MetadataError> {
        let mut elements: Vec<Element> = Vec::new();
        for (name, value) in entries {
            let name = canonical_name(name.trim_matches(is_xml_space));
            let value = value.trim_matches(is_xml_space);
            if elements.len() >= MAX_ELEMENTS {
                return Err(MetadataError::Size(format!("over {MAX_ELEMENTS} elements")));
            }
            if name.is_empty() || name.len() > MAX_NAME || value.len() > MAX_VALUE {
                return Err(MetadataError::Size(format!("element {name:?}")));
            }
            if elements.iter().any(|e| e.name == name) {
                return Err(MetadataError::Duplicate(name.to_owned()));
            }
            elements.push(Element {
                name: name.to_owned(),
                value: value.to_owned(),
            });
        }
        Ok(Metadata { elements })
    }

    /// An element's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        let name = canonical_name(name);
        self.elements
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.value.as_str())
    }

    /// The canonical bytes: the domain, the element count (u32 BE), then per
    /// element `u32 BE length ‖ name ‖ u32 BE length ‖ value` (UTF-8).
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = METADATA_DOMAIN.to_vec();
        let n = u32::try_from(self.elements.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&n.to_be_bytes());
        for e in &self.elements {
            for part in [&e.name, &e.value] {
                let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(part.as_bytes());
            }
        }
        out
    }

    /// `SM3(canonical bytes)`: the record's `metadata_digest`.
    pub fn digest(&self) -> Digest {
        Suite::Sm.hash(&self.canonical_bytes())
    }

    /// Every element of [`REQUIRED_ELEMENTS`] and of `extra` (the type's
    /// required elements) present and non-empty.
    pub fn check_required(&self, extra: &[String]) -> Result<(), MetadataError> {
        let extra = extra.iter().map(String::as_str);
        for name in REQUIRED_ELEMENTS.iter().copied().chain(extra) {
            if self.get(name).is_none_or(str::is_empty) {
                return Err(MetadataError::Missing(canonical_name(name).to_owned()));
            }
        }
        Ok(())
    }

    /// The holders: names, codes and type codes split at `;`, equal in number.
    pub fn holders(&self) -> Result<Vec<Holder>, MetadataError> {
        let split = |n: &str| -> Vec<String> {
            self.get(n)
                .map(|v| v.split(';').map(|s| s.trim().to_owned()).collect())
                .unwrap_or_default()
        };
        let names = split("certificateHolderName");
        let codes = split("certificateHolderCode");
        let types = split("certificateHolderTypeCode");
        if names.is_empty() || names.len() != codes.len() || names.len() != types.len() {
            return Err(MetadataError::Holders);
        }
        Ok(names
            .into_iter()
            .zip(codes)
            .zip(types)
            .map(|((name, code), type_code)| Holder {
                name,
                code,
                type_code,
            })
            .collect())
    }

    /// The holder salts of [`SALT_ELEMENT`], in holder order (`None` when
    /// absent or when one is not a salt).
    pub fn salts(&self) -> Option<Vec<crate::holder::HolderSalt>> {
        self.get(SALT_ELEMENT)?
            .split(';')
            .map(|s| crate::holder::HolderSalt::from_hex(s).ok())
            .collect()
    }

    /// 颁证日期 as `YYYYMMDD`.
    pub fn issued_date(&self) -> Result<String, MetadataError> {
        let v = self
            .get("certificateIssuedDate")
            .ok_or_else(|| MetadataError::Missing("certificateIssuedDate".into()))?;
        let (y, m, d) = parse_date(v)
            .ok_or_else(|| MetadataError::Date(format!("issued date {v:?} is not a date")))?;
        Ok(format!("{y:04}{m:02}{d:02}"))
    }

    /// The validity window the dates give ([`validity_from_dates`]).
    pub fn validity(&self) -> Result<(u64, u64), MetadataError> {
        validity_from_dates(
            self.get("certificateEffectiveDate"),
            self.get("certificateExpiringDate"),
        )
    }
}

/// A calendar date written `YYYY-MM-DD`, `YYYYMMDD` or `YYYY年M月D日`.
pub fn parse_date(s: &str) -> Option<(i64, i64, i64)> {
    let s = s.trim();
    let nums: Vec<&str> = if let Some(rest) = s.strip_suffix('日') {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        vec![y, m, d]
    } else if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        vec![&s[..4], &s[4..6], &s[6..]]
    } else {
        let parts: Vec<&str> = s.split('-').collect();
        if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            return None;
        }
        parts
    };
    let [y, m, d] = nums.as_slice() else {
        return None;
    };
    let num = |t: &str| -> Option<i64> {
        (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    // A real calendar date: it survives the round trip through Unix time.
    let t = yinzheng_seal::time::civil_to_unix([y, m, d, 0, 0, 0])?;
    (yinzheng_seal::time::unix_to_civil(t)[..3] == [y, m, d]).then_some((y, m, d))
}

/// Milliseconds of 00:00 Asia/Shanghai (UTC+8) on a date.
pub fn shanghai_midnight_ms(y: i64, m: i64, d: i64) -> Option<u64> {
    let t = yinzheng_seal::time::civil_to_unix([y, m, d, 0, 0, 0])? - 8 * 3600;
    u64::try_from(t).ok()?.checked_mul(1000)
}

/// The validity window of a certificate from its effective and expiring
/// dates: from 00:00 (UTC+8) of the effective date (0 when absent) to 00:00
/// (UTC+8) of the day after the expiring date, so the certificate is valid
/// through that day; `长期` or an absent expiry is no end (0).
pub fn validity_from_dates(
    effective: Option<&str>,
    expiring: Option<&str>,
) -> Result<(u64, u64), MetadataError> {
    let from = match effective.filter(|s| !s.is_empty()) {
        None => 0,
        Some(v) => {
            let (y, m, d) = parse_date(v)
                .ok_or_else(|| MetadataError::Date(format!("effective date {v:?}")))?;
            shanghai_midnight_ms(y, m, d)
                .ok_or_else(|| MetadataError::Date(format!("effective date {v:?}")))?
        }
    };
    let until = match expiring.filter(|s| !s.is_empty() && *s != "长期") {
        None => 0,
        Some(v) => {
            let (y, m, d) =
                parse_date(v).ok_or_else(|| MetadataError::Date(format!("expiring date {v:?}")))?;
            shanghai_midnight_ms(y, m, d)
                .and_then(|t| t.checked_add(86_400_000))
                .ok_or_else(|| MetadataError::Date(format!("expiring date {v:?}")))?
        }
    };
    if until != 0 && until <= from {
        return Err(MetadataError::Date(
            "the validity window ends before it starts".into(),
        ));
    }
    Ok((from, until))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_canonical_and_duplicates_refused() {
        let m = Metadata::from_entries([("ZZMC", " 营业执照 \n"), ("Custom", "x")]).unwrap();
        assert_eq!(m.elements[0].name, "certificateName");
        assert_eq!(m.get("ZZMC"), Some("营业执照"));
        assert_eq!(m.get("Custom"), Some("x"));
        let dup = Metadata::from_entries([("ZZBS", "a"), ("certificateIdentifier", "b")]);
        assert_eq!(
            dup.unwrap_err(),
            MetadataError::Duplicate("certificateIdentifier".into())
        );
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2018-07-25"), Some((2018, 7, 25)));
        assert_eq!(parse_date("20180725"), Some((2018, 7, 25)));
        assert_eq!(parse_date("2018年7月25日"), Some((2018, 7, 25)));
        assert_eq!(parse_date("2018-02-30"), None);
        assert_eq!(parse_date("2018-7-25"), None);
        assert_eq!(parse_date("长期"), None);
        // 2024-01-01 00:00 +08:00 = 2023-12-31T16:00Z.
        let (from, until) = validity_from_dates(Some("2024-01-01"), Some("2024-01-01")).unwrap();
        assert_eq!(from, 1_704_038_400_000);
        assert_eq!(until, from + 86_400_000);
        assert_eq!(
            validity_from_dates(Some("2024-01-01"), Some("长期")).unwrap(),
            (from, 0)
        );
        assert!(validity_from_dates(Some("2024-01-02"), Some("2023-12-31")).is_err());
    }

    #[test]
    fn holders_must_line_up() {
        let m = Metadata::from_entries([
            ("certificateHolderName", "张三;李四"),
            (
                "certificateHolderCode",
                "110101199001011234;110101199001011235",
            ),
            ("certificateHolderTypeCode", "111;111"),
        ])
        .unwrap();
        assert_eq!(m.holders().unwrap().len(), 2);
        let bad = Metadata::from_entries([
            ("certificateHolderName", "张三;李四"),
            ("certificateHolderCode", "110101199001011234"),
            ("certificateHolderTypeCode", "111"),
        ])
        .unwrap();
        assert_eq!(bad.holders().unwrap_err(), MetadataError::Holders);
    }
}
