//! Chinese identifier formats: the unified social credit code (GB 32100-2015)
//! and the administrative division code (GB/T 2260).

/// The 31 characters of GB 32100, in value order (no I, O, S, V, Z).
const CREDIT_CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Position weights 3^i mod 31 for the first 17 characters (GB 32100 §5).
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn credit_value(c: u8) -> Option<u32> {
    CREDIT_CHARSET
        .iter()
        .position(|&x| x == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// The check character for the first 17 characters of a credit code.
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in b.iter().zip(CREDIT_WEIGHTS) {
        sum += credit_value(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    CREDIT_CHARSET
        .get(usize::try_from(check).ok()?)
        .map(|&c| char::from(c))
}

/// Why a credit code is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditCodeError {
    /// Not 18 characters.
    Length,
    /// A character outside GB 32100's set.
    Charset,
    /// The 18th character is not the computed check character.
    CheckDigit,
}

/// Validate an 18-character unified social credit code, check digit included.
pub fn validate_credit_code(code: &str) -> Result<(), CreditCodeError> {
    let b = code.as_bytes();
    if b.len() != 18 {
        return Err(CreditCodeError::Length);
    }
    if b.iter().any(|&c| credit_value(c).is_none()) {
        return Err(CreditCodeError::Charset);
    }
    let want = credit_code_check_char(&code[..17]).ok_or(CreditCodeError::Charset)?;
    if char::from(b[17]) != want {
        return Err(CreditCodeError::CheckDigit);
    }
    Ok(())
}

/// A six-digit division code: `000000` (national), `PP0000` (province),
/// `PPCC00` (city) or `PPCCDD` (district).
pub fn validate_division(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|c| c.is_ascii_digit())
}

/// The significant prefix of a division code: `""` for `000000`, `"44"` for
/// `440000`, `"4403"` for `440300`, the whole code for a district.
pub fn division_prefix(code: &str) -> &str {
    let mut end = code.len();
    while end >= 2 && &code[end - 2..end] == "00" {
        end -= 2;
    }
    &code[..end]
}

/// The organisation level a division code denotes (1 national … 4 district).
pub fn division_level(code: &str) -> i32 {
    match division_prefix(code).len() {
        0 => 1,
        2 => 2,
        4 => 3,
        _ => 4,
    }
}

/// Whether `region` covers `division` (its prefix is a prefix of the division's).
pub fn region_covers(region: &str, division: &str) -> bool {
    division_prefix(division).starts_with(division_prefix(region))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_codes() {
        // A code assembled from a registration-authority prefix and an
        // organisation code, with its check character computed per GB 32100.
        let first17 = "91440300MA5DC7YB2";
        let c = credit_code_check_char(first17).unwrap();
        let code = format!("{first17}{c}");
        assert_eq!(validate_credit_code(&code), Ok(()));
        let wrong = if c == '0' { '1' } else { '0' };
        assert_eq!(
            validate_credit_code(&format!("{first17}{wrong}")),
            Err(CreditCodeError::CheckDigit)
        );
        assert_eq!(
            validate_credit_code("91440300"),
            Err(CreditCodeError::Length)
        );
        assert_eq!(
            validate_credit_code("91440300MA5DC7YBI0"),
            Err(CreditCodeError::Charset)
        );
    }

    #[test]
    fn published_credit_code_checks() {
        // Real registered codes, as printed on business licences.
        for code in [
            "91110000100017643K",
            "911100001000048481",
            "91440300708461136T",
        ] {
            assert_eq!(validate_credit_code(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn divisions() {
        assert!(validate_division("440305"));
        assert!(!validate_division("44030"));
        assert!(!validate_division("44030a"));
        assert_eq!(division_prefix("440000"), "44");
        assert_eq!(division_prefix("440300"), "4403");
        assert_eq!(division_prefix("440305"), "440305");
        assert_eq!(division_prefix("000000"), "");
        assert!(region_covers("440000", "440305"));
        assert!(region_covers("000000", "440305"));
        assert!(!region_covers("440300", "440100"));
        assert_eq!(division_level("440300"), 3);
    }
}
