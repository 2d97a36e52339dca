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

/// The check character of the widespread non-standard variant (found in
/// deployed issuing software): letters valued from 11 (`A`) to 36 (`Z`),
/// digits as themselves; the running sum reduced mod 37 for letters and mod 36
/// for digits only when it exceeds those bounds; then the hybrid step
/// `p = 2·(r mod 36, with 0 as 36) mod 37`, and the character at `36 − p` of
/// the alphabet. Identifiers written with it are flagged on import
/// (`docs/spec/ecert.md` §1.3), never issued.
pub fn legacy_variant_check(body: &str) -> Option<char> {
    const M: u32 = 36;
    let mut p: u32 = M;
    for c in body.bytes() {
        let a = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 11,
            _ => return None,
        };
        let mut r = p + a;
        if a > 10 && r > M + 1 {
            r %= M + 1;
        } else if a < 10 && r > M {
            r %= M;
        }
        let r2 = if r.is_multiple_of(M) { M } else { r % M };
        p = (2 * r2) % (M + 1);
    }
    // p is in 1..=36 (2·r2 is never a multiple of 37), so the index is in 0..36.
    let i = usize::try_from(M.checked_sub(p)?).ok()?;
    ALPHABET.get(i).map(|&b| char::from(b))
}

/// How an identifier's check character was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    /// ISO/IEC 7064 MOD 37,36: the only form a new identifier may have.
    Standard,
    /// The known non-standard variant ([`legacy_variant_check`]): accepted,
    /// flagged, for certificates imported from systems that used it.
    LegacyVariant,
    /// Neither: a mistyped or damaged identifier.
    Wrong,
}

impl EcertId {
    /// Which rule the check character follows.
    pub fn check_kind(&self) -> CheckKind {
        if self.check_is_standard() {
            CheckKind::Standard
        } else if legacy_variant_check(&self.body()) == Some(self.check) {
            CheckKind::LegacyVariant
        } else {
            CheckKind::Wrong
        }
    }

    /// type ‖ issuer ‖ serial ‖ version: the input of the check character.
    pub fn body(&self) -> String {
        format!(
            "{}{}{}{:03}",
            self.type_code, self.issuer, self.serial, self.version
        )
    }

    /// The identifier as written.
    pub fn to_text(&self) -> String {
        format!(
            "{ECERT_ID_ROOT}.{}.{}.{}.{:03}.{}",
            self.type_code, self.issuer, self.serial, self.version, self.check
        )
    }

    /// A new identifier with the standard check character.
    pub fn new_standard(
        type_code: &str,
        issuer: &str,
        serial: &str,
        version: u16,
    ) -> Result<EcertId, EcertIdError> {
        let body = format!("{type_code}{issuer}{serial}{version:03}");
        let check = mod37_36(&body).ok_or(EcertIdError::Serial)?;
        parse_ecert_id(&format!(
            "{ECERT_ID_ROOT}.{type_code}.{issuer}.{serial}.{version:03}.{check}"
        ))
    }
}

/// A 证照类型代码: the defining organisation's credit code (GB 32100 check
/// included) and three digits.
pub fn check_type_code(type_code: &str) -> Result<(), EcertIdError> {
    if type_code.len() != 21 || !type_code.is_char_boundary(18) {
        return Err(EcertIdError::TypeCode("must be 21 characters".into()));
    }
    validate_credit_code(&type_code[..18])
        .map_err(|e| EcertIdError::TypeCode(format!("defining authority {e:?}")))?;
    if !type_code[18..].bytes().all(|b| b.is_ascii_digit()) {
        return Err(EcertIdError::TypeCode("must end in three digits".into()));
    }
    Ok(())
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
    check_type_code(type_code)?;
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

    /// Identifiers found in public code and their recorded check characters.
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
        // Neither rule gives X: as written, the identifier is wrong.
        assert_eq!(p.check_kind(), CheckKind::Wrong);
        // A Shandong identifier published as an interface example: the variant's M.
        let shandong = parse_ecert_id(
            "1.2.156.3005.2.11100000000013661B006.113700000045046442.\
             209FA4E88F9E4C878F3E9BED2CE7EA49.001.M",
        )
        .unwrap();
        assert_eq!(shandong.expected_check, 'D');
        assert_eq!(shandong.check_kind(), CheckKind::LegacyVariant);
        assert_eq!(legacy_variant_check("11100000000013661B006"), Some('9'));
        for id in [
            "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
            "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
        ] {
            let p = parse_ecert_id(id).unwrap();
            assert_eq!(p.check_kind(), CheckKind::Standard);
            assert_eq!(p.to_text(), id);
            let made = EcertId::new_standard(&p.type_code, &p.issuer, &p.serial, p.version);
            assert_eq!(made.unwrap().to_text(), id);
        }
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
