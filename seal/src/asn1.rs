//! A tolerant DER reader that keeps every element's original bytes, and the
//! few DER writers the seal and signature builders need.
//!
//! Real seals deviate from strict DER (GeneralizedTime without `Z`, raw
//! signature values, garbage unused-bits octets), so the structure is walked
//! here element by element and nothing is ever re-encoded before a signature
//! is checked: every field keeps the slice it was read from.

use crate::ParseError;

/// Universal tags used by the seal formats.
pub(crate) mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const UTF8_STRING: u8 = 0x0C;
    pub const PRINTABLE_STRING: u8 = 0x13;
    pub const IA5_STRING: u8 = 0x16;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const SEQUENCE: u8 = 0x30;
    /// `[0]`, constructed (EXPLICIT).
    pub const CONTEXT_0: u8 = 0xA0;
    /// `[0]`, primitive (IMPLICIT over a primitive type).
    pub const CONTEXT_0_PRIMITIVE: u8 = 0x80;
}

/// One element: its tag, its content and its whole encoding as found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Parse exactly one element filling `bytes`.
    pub fn parse_whole(bytes: &'a [u8], what: &'static str) -> Result<Tlv<'a>, ParseError> {
        let mut r = Reader::new(bytes);
        let tlv = r.next(what)?;
        if !r.is_empty() {
            return Err(ParseError::new(what, "trailing bytes after the element"));
        }
        Ok(tlv)
    }

    /// A reader over the content of a constructed element.
    pub fn children(&self) -> Reader<'a> {
        Reader::new(self.value)
    }

    /// Check the tag.
    pub fn expect(self, tag: u8, what: &'static str) -> Result<Tlv<'a>, ParseError> {
        if self.tag == tag {
            Ok(self)
        } else {
            Err(ParseError::new(what, "unexpected tag").with_tag(self.tag))
        }
    }
}

/// Reads elements one after another from a slice.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element. Definite lengths only (short or long form, up to
    /// four length octets); single-octet tags only, as every field of the
    /// seal formats has.
    pub fn next(&mut self, what: &'static str) -> Result<Tlv<'a>, ParseError> {
        let bytes = self.rest;
        let (&tag, after_tag) = bytes
            .split_first()
            .ok_or_else(|| ParseError::new(what, "missing"))?;
        if tag & 0x1F == 0x1F {
            return Err(ParseError::new(
                what,
                "multi-octet tags are not used by these formats",
            ));
        }
        let (&first, after_len0) = after_tag
            .split_first()
            .ok_or_else(|| ParseError::new(what, "length missing"))?;
        let (len, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else if first == 0x80 {
            return Err(ParseError::new(what, "indefinite length"));
        } else {
            let n = usize::from(first & 0x7F);
            if n > 4 || after_len0.len() < n {
                return Err(ParseError::new(what, "length octets out of range"));
            }
            let len = after_len0[..n]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            (len, 2 + n)
        };
        let total = header
            .checked_add(len)
            .filter(|&t| t <= bytes.len())
            .ok_or_else(|| ParseError::new(what, "length runs past the end of its container"))?;
        self.rest = &bytes[total..];
        Ok(Tlv {
            tag,
            value: &bytes[header..total],
            raw: &bytes[..total],
        })
    }

    /// The next element, which must carry `tag`.
    pub fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>, ParseError> {
        self.next(what)?.expect(tag, what)
    }

    /// The next element if it carries `tag`.
    pub fn optional(&mut self, tag: u8, what: &'static str) -> Result<Option<Tlv<'a>>, ParseError> {
        if self.peek_tag() == Some(tag) {
            self.next(what).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Every remaining element.
    pub fn all(mut self, what: &'static str) -> Result<Vec<Tlv<'a>>, ParseError> {
        let mut out = Vec::new();
        while !self.is_empty() {
            out.push(self.next(what)?);
        }
        Ok(out)
    }

    /// Nothing may follow.
    pub fn finish(self, what: &'static str) -> Result<(), ParseError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ParseError::new(what, "unexpected trailing elements"))
        }
    }
}

/// An INTEGER's value, for the small integers of the seal formats.
pub(crate) fn small_int(tlv: Tlv<'_>, what: &'static str) -> Result<i64, ParseError> {
    let tlv = tlv.expect(tag::INTEGER, what)?;
    let v = tlv.value;
    if v.is_empty() || v.len() > 8 {
        return Err(ParseError::new(what, "integer out of range"));
    }
    let neg = v[0] & 0x80 != 0;
    let mut x: i64 = if neg { -1 } else { 0 };
    for &b in v {
        x = (x << 8) | i64::from(b);
    }
    Ok(x)
}

/// A BIT STRING: its unused-bits octet and the bytes after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Bits<'a> {
    /// The "unused bits" octet as found (real files carry garbage here).
    pub unused: u8,
    /// The bytes after it.
    #[serde(serialize_with = "crate::report::hex_bytes")]
    pub data: &'a [u8],
}

pub(crate) fn bits<'a>(tlv: Tlv<'a>, what: &'static str) -> Result<Bits<'a>, ParseError> {
    let tlv = tlv.expect(tag::BIT_STRING, what)?;
    let (&unused, data) = tlv
        .value
        .split_first()
        .ok_or_else(|| ParseError::new(what, "empty bit string"))?;
    Ok(Bits { unused, data })
}

/// Dotted form of an OBJECT IDENTIFIER's content octets.
pub(crate) fn oid_string(content: &[u8]) -> Option<String> {
    let mut arcs: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for (i, &b) in content.iter().enumerate() {
        if acc > (u64::MAX >> 7) {
            return None;
        }
        acc = (acc << 7) | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        } else if i + 1 == content.len() {
            return None;
        }
    }
    if arcs.is_empty() {
        return None;
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

// --- writers ---------------------------------------------------------------

/// One DER element (definite, minimal length).
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if let Ok(short) = u8::try_from(len)
        && short < 0x80
    {
        out.push(short);
    } else {
        let be = (len as u64).to_be_bytes();
        let skip = be.iter().take_while(|&&b| b == 0).count();
        // At most 8 length octets: the count fits the low bits.
        out.push(0x80 | u8::try_from(8 - skip).unwrap_or(8));
        out.extend_from_slice(&be[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already encoded elements.
pub(crate) fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    encode(tag::SEQUENCE, &parts.concat())
}

/// A non-negative INTEGER.
pub(crate) fn integer(x: u64) -> Vec<u8> {
    let be = x.to_be_bytes();
    let skip = be.iter().take_while(|&&b| b == 0).count().min(7);
    let mut v = be[skip..].to_vec();
    if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    encode(tag::INTEGER, &v)
}

/// A BIT STRING with no unused bits.
pub(crate) fn bit_string(data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(0);
    v.extend_from_slice(data);
    encode(tag::BIT_STRING, &v)
}

/// An OBJECT IDENTIFIER from its dotted form (arcs of our own constants).
#[allow(clippy::cast_possible_truncation)] // each pushed value is masked to 7 bits
pub(crate) fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').filter_map(|a| a.parse().ok()).collect();
    let mut content = Vec::new();
    let mut push = |mut x: u64| {
        let mut tmp = vec![(x & 0x7F) as u8];
        x >>= 7;
        while x > 0 {
            tmp.push(0x80 | (x & 0x7F) as u8);
            x >>= 7;
        }
        tmp.reverse();
        content.extend_from_slice(&tmp);
    };
    if arcs.len() >= 2 {
        push(arcs[0] * 40 + arcs[1]);
        for &a in &arcs[2..] {
            push(a);
        }
    }
    encode(tag::OID, &content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_round_trip() {
        for s in ["1.2.156.10197.1.501", "1.2.840.10045.2.1", "2.5.29.15"] {
            let enc = oid(s);
            let tlv = Tlv::parse_whole(&enc, "oid").unwrap();
            assert_eq!(oid_string(tlv.value).unwrap(), s);
        }
    }

    #[test]
    fn long_lengths_and_truncation() {
        let big = encode(tag::OCTET_STRING, &[7u8; 300]);
        assert_eq!(&big[..4], &[0x04, 0x82, 0x01, 0x2C]);
        let tlv = Tlv::parse_whole(&big, "x").unwrap();
        assert_eq!(tlv.value.len(), 300);
        assert!(Tlv::parse_whole(&big[..big.len() - 1], "x").is_err());
        assert!(Tlv::parse_whole(&[0x30, 0x80, 0, 0], "x").is_err());
        assert!(Tlv::parse_whole(&[0x30, 0x85, 1, 1, 1, 1, 1], "x").is_err());
    }

    #[test]
    fn integers() {
        for x in [0u64, 1, 127, 128, 255, 256, 1 << 40] {
            let enc = integer(x);
            let tlv = Tlv::parse_whole(&enc, "i").unwrap();
            assert_eq!(small_int(tlv, "i").unwrap(), x as i64);
        }
    }
}
