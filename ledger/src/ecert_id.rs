//! The GB/T 36904 e-certificate identifier (电子证照标识):
//! `1.2.156.3005.2.<type 21>.<issuer 18>.<serial>.<version 3>.<check>`.
//!
//! The type code is the defining authority's 统一社会信用代码 and a 3-digit
//! sequence; the issuer is the issuing office's credit code (both with their
//! GB 32100 check characters); the serial is `[0-9A-Z]`; the version three
//! digits from `001`; the check character ISO/IEC 7064 MOD 37,36 over type ‖
//! issuer ‖ serial ‖ version. Structure errors are errors; a check character
//! that is not the standard one is reported, not refused, because identifiers
//! made with a widespread non-standard variant exist in production: issuing
//! a new identifier requires the standard check, importing a legacy one
//! flags it.

use crate::codes::{CreditCodeError, validate_credit_code};

/// The fixed root of every identifier.
pub const ECERT_ID_ROOT: &str = "1.2.156.3005.2";

/// Longest serial accepted (the standard sets none; real ones run to 32).
pub const MAX_SERIAL: usize = 64;

const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// A parsed identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcertId {
    /// 证照类型代码: the defining authority's credit code and a sequence.
    pub type_code: String,
    /// 证照颁发机构代码: the issuer's credit code.
    pub issuer: String,
    /// 流水号.
    pub serial: String,
    /// 版本号, from 1.
    pub version: u16,
    /// The check character as written.
    pub check: char,
    /// The standard check character for the body.
    pub expected_check: char,
}

impl EcertId {
    /// Whether the check character is the standard one.
    pub fn check_is_standard(&self) -> bool {
        self.check == self.expected_check
    }

    /// The defining authority's credit code (the type code's first 18).
    pub fn defining_authority(&self) -> &str {
        &self.type_code[..18]
    }
}

/// Why an identifier does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EcertIdError {
    /// Not under `1.2.156.3005.2`.
    #[error("not under the root 1.2.156.3005.2")]
    Root,
    /// Not five segments after the root.
    #[error("expected type.issuer.serial.version.check after the root")]
    Segments,
    /// The type code is not a credit code and three digits.
    #[error("type code: {0}")]
    TypeCode(String),
    /// The issuer is not a valid credit code.
    #[error("issuer: {0:?}")]
    Issuer(CreditCodeError),
    /// The serial is empty, too long, or outside `[0-9A-Z]`.
    #[error("serial must be 1–64 characters of 0-9 and A-Z")]
    Serial,
    /// The version is not three digits from 001.
    #[error("version must be three digits from 001")]
    Version,
    /// The check character is not one character of `[0-9A-Z]`.
    #[error("check character must be one of 0-9 and A-Z")]
    CheckChar,
}

/// ISO/IEC 7064 MOD 37,36 (hybrid) check character of `body` (`[0-9A-Z]`).
pub fn mod37_36(body: &str) -> Option<char> {
    let mut p: u32 = 36;
    for c in body.bytes() {
        let v = u32::try_from(ALPHABET.iter().position(|&a| a == c)?).ok()?;
        let mut t = (p + v) % 36;
        if t == 0 {
            t = 36;
        }
        p = (2 * t) % 37;
    }
    let i = usize::try_from((37 - p) % 36).ok()?;
    Some(char::from(ALPHABET[i]))
}

/// Parse and check an identifier's structure; the check character's
/// standardness is in the result ([`EcertId::check_is_standard`]).
pub fn parse_ecert_id(s: &str) -> Result<EcertId, EcertIdError> {
    let rest = s
        .strip_prefix(ECERT_ID_ROOT)
        .and_then(|r| r.strip_prefix('.'))
        .ok_or(EcertIdError::Root)?;
    let parts: Vec<&str> = rest.split('.').collect();
    let [type_code, issuer, serial, version, check] = parts.as_slice() else {
        return Err(EcertIdError::Segments);
    };
    if type_code.len() != 21 || !type_code.is_char_boundary(18) {
        return Err(EcertIdError::TypeCode("must be 21 characters".into()));
    }
    validate_credit_code(&type_code[..18])
        .map_err(|e| EcertIdError::TypeCode(format!("defining authority {e:?}")))?;
    if !type_code[18..].bytes().all(|b| b.is_ascii_digit()) {
        return Err(EcertIdError::TypeCode("must end in three digits".into()));
    }
    validate_credit_code(issuer).map_err(EcertIdError::Issuer)?;
    let serial_ok = (1..=MAX_SERIAL).contains(&serial.len())
        && serial
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
    if !serial_ok {
        return Err(EcertIdError::Serial);
    }
    let v: u16 = match version.len() == 3 && version.bytes().all(|b| b.is_ascii_digit()) {
        true => version.parse().map_err(|_| EcertIdError::Version)?,
        false => return Err(EcertIdError::Version),
    };
    if v == 0 {
        return Err(EcertIdError::Version);
    }
    let mut chars = check.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return Err(EcertIdError::CheckChar);
    };
    if !c.is_ascii_digit() && !c.is_ascii_uppercase() {
        return Err(EcertIdError::CheckChar);
    }
    let expected_check =
        mod37_36(&format!("{type_code}{issuer}{serial}{version}")).ok_or(EcertIdError::Serial)?;
    Ok(EcertId {
        type_code: (*type_code).to_owned(),
        issuer: (*issuer).to_owned(),
        serial: (*serial).to_owned(),
        version: v,
        check: c,
        expected_check,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Identifiers found in public code and their recorded check characters
    /// (three real, one standard example, two made with a non-standard variant).
    #[test]
    fn real_identifiers() {
        for (id, standard) in [
            // Zhejiang, a real certificate file.
            (
                "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
                true,
            ),
            // Jilin 住建厅, a real database row.
            (
                "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
                true,
            ),
            // The ministry's data-exchange format example.
            (
                "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
                true,
            ),
        ] {
            let p = parse_ecert_id(id).unwrap();
            assert_eq!(p.check_is_standard(), standard, "{id}");
            assert_eq!(p.defining_authority(), "11100000000013338W");
        }
        assert_eq!(
            parse_ecert_id(
                "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0"
            )
            .unwrap()
            .version,
            2
        );
    }

    #[test]
    fn check_characters() {
        assert_eq!(
            mod37_36("11100000000013338W00211320482014138860P201807250201001"),
            Some('M')
        );
        assert_eq!(mod37_36("12330110470391229PA11601010003456001"), Some('1'));
        assert_eq!(
            mod37_36("11100000000013338W05091610800064834709T2023000001001"),
            Some('2')
        );
        assert_eq!(mod37_36("abc"), None);
    }

    #[test]
    fn legacy_variant_is_flagged_not_refused() {
        // Written with check X by a widespread non-standard variant; the standard gives 2.
        let p = parse_ecert_id(
            "1.2.156.3005.2.11100000000013338W050.91610800064834709T.2023000001.001.X",
        )
        .unwrap();
        assert!(!p.check_is_standard());
        assert_eq!(p.expected_check, '2');
    }

    #[test]
    fn structure_errors() {
        let ok = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F";
        assert!(parse_ecert_id(ok).is_ok());
        let bad = |s: &str| parse_ecert_id(s).unwrap_err();
        assert_eq!(bad("1.2.156.3005.3.x"), EcertIdError::Root);
        assert_eq!(bad("1.2.156.3005.2.a.b"), EcertIdError::Segments);
        // The Hefei test stub: an issuer that is a division code, not a credit code.
        assert!(matches!(
            bad("1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9"),
            EcertIdError::Issuer(_)
        ));
        assert!(matches!(
            bad(&ok.replace("W032", "W03X")),
            EcertIdError::TypeCode(_)
        ));
        assert!(matches!(
            bad(&ok.replace("11220000013544541J", "11220000013544541K")),
            EcertIdError::Issuer(_)
        ));
        assert_eq!(bad(&ok.replace("2430599", "吉A0420")), EcertIdError::Serial);
        assert_eq!(bad(&ok.replace("2430599", "24305a9")), EcertIdError::Serial);
        assert_eq!(bad(&ok.replace(".001.", ".000.")), EcertIdError::Version);
        assert_eq!(bad(&ok.replace(".001.", ".01.")), EcertIdError::Version);
        assert_eq!(bad(&ok.replace(".F", ".FF")), EcertIdError::CheckChar);
    }
}
