//! Bytes as decimal digits, for QR links (`docs/spec/qr.md` §2).
//!
//! A QR code stores decimal digits in its numeric mode at 10 bits per three
//! digits; base64url text goes in byte mode at 8 bits per character. Bytes
//! written as digits take 8.1 bits each in the code instead of 10.7, which is
//! what lets a certificate's compact bundle with opened display fields fit a
//! version-25 code at level M. Digits are also safe in a URL fragment as they
//! are, unlike base45 (its space and `%`).
//!
//! The rule: every 7 bytes, read as a big-endian number, are written as 17
//! digits, zero-padded; a last group of k < 7 bytes as [`DIGITS_FOR`]`[k]`
//! digits. Exactly one digit string encodes given bytes: a group whose value
//! does not fit its byte count, or a length no group count gives, is refused.

/// Digits written for a group of `k` bytes (index `k`, 0 ≤ k ≤ 7): the fewest
/// decimal digits that hold every k-byte number, ⌈k · log10 256⌉.
pub const DIGITS_FOR: [usize; 8] = [0, 3, 5, 8, 10, 13, 15, 17];

/// Bytes per full group.
const GROUP: usize = 7;

/// Why a digit string is not an encoding of bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigitsError {
    /// A character other than `0`–`9` at this offset.
    #[error("character {0} is not a decimal digit")]
    NotADigit(usize),
    /// The length leaves a last group of a size no byte count gives.
    #[error("{0} digits: a last group of {1} digits encodes no byte count")]
    BadLength(usize, usize),
    /// The group starting at this offset is larger than its bytes can hold.
    #[error("the group at digit {0} is out of range")]
    GroupOutOfRange(usize),
}

/// Encode bytes as decimal digits.
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 5 / 2 + 3);
    for group in bytes.chunks(GROUP) {
        let value = group.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let width = DIGITS_FOR[group.len()];
        out.push_str(&format!("{value:0width$}"));
    }
    out
}

/// Decode decimal digits written by [`encode`].
///
/// # Errors
/// [`DigitsError`] for a non-digit, an impossible length or a group whose value
/// does not fit its bytes.
pub fn decode(digits: &str) -> Result<Vec<u8>, DigitsError> {
    let raw = digits.as_bytes();
    if let Some(at) = raw.iter().position(|c| !c.is_ascii_digit()) {
        return Err(DigitsError::NotADigit(at));
    }
    let full = DIGITS_FOR[GROUP];
    let tail = raw.len() % full;
    let tail_bytes = DIGITS_FOR
        .iter()
        .position(|&d| d == tail)
        .ok_or(DigitsError::BadLength(raw.len(), tail))?;
    let mut out = Vec::with_capacity(raw.len() / full * GROUP + tail_bytes);
    let mut at = 0;
    while at < raw.len() {
        let (width, bytes) = if raw.len() - at >= full {
            (full, GROUP)
        } else {
            (tail, tail_bytes)
        };
        let value = raw[at..at + width]
            .iter()
            .fold(0u64, |acc, &c| acc * 10 + u64::from(c - b'0'));
        if value >> (8 * bytes) != 0 {
            return Err(DigitsError::GroupOutOfRange(at));
        }
        out.extend_from_slice(&value.to_be_bytes()[8 - bytes..]);
        at += width;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_for_is_the_fewest_that_hold_k_bytes() {
        for (k, &d) in DIGITS_FOR.iter().enumerate().skip(1) {
            let max = u128::from(u64::MAX >> (64 - 8 * k));
            assert!(10u128.pow(u32::try_from(d).unwrap()) > max);
            assert!(10u128.pow(u32::try_from(d - 1).unwrap()) <= max);
        }
    }

    #[test]
    fn round_trips_every_length_and_extreme() {
        for len in 0u8..40 {
            for fill in [0x00, 0x01, 0x7f, 0xff] {
                let bytes: Vec<u8> = (0..len).map(|i| fill ^ i.wrapping_mul(37)).collect();
                let text = encode(&bytes);
                assert_eq!(decode(&text).unwrap(), bytes, "len {len} fill {fill}");
            }
        }
    }

    #[test]
    fn refuses_what_encode_never_writes() {
        assert_eq!(decode("12a"), Err(DigitsError::NotADigit(2)));
        assert_eq!(decode("1234"), Err(DigitsError::BadLength(4, 4)));
        assert_eq!(decode("256"), Err(DigitsError::GroupOutOfRange(0)));
        assert_eq!(
            decode("99999999999999999"),
            Err(DigitsError::GroupOutOfRange(0))
        );
        assert_eq!(
            decode("72057594037927936"),
            Err(DigitsError::GroupOutOfRange(0))
        );
        assert_eq!(decode("72057594037927935").unwrap(), vec![0xff; 7]);
        assert_eq!(decode("").unwrap(), Vec::<u8>::new());
    }
}
