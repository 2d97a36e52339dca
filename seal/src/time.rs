//! Times as real seals write them: kept with their raw bytes and read leniently.
//!
//! GB/T 38540 asks for GeneralizedTime, but real files carry it without `Z`
//! (local time), as a UTCTime string under the GeneralizedTime tag, and the
//! older GM/T 0031 `timeInfo` is a BIT STRING holding text, a DER time or a
//! timestamp token (`docs/spec/seals.md` §3, pitfall P4). A time with no zone
//! is China Standard Time (UTC+8) and says so.

use serde::Serialize;

use crate::asn1::{Tlv, tag};

/// Seconds east of UTC assumed for a time written without a zone.
pub const ASSUMED_OFFSET_SECS: i64 = 8 * 3600;

/// How a time was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeForm {
    /// `YYYYMMDDHHMMSS[.f][Z|±hhmm]`.
    Generalized,
    /// `YYMMDDHHMMSS[Z]`.
    Utc,
    /// `YYYY-MM-DD HH:MM:SS` or ISO 8601 text (GM/T 0031 `timeInfo`).
    Text,
    /// A timestamp token (GM/T 0031 `timeInfo` may hold one): no time read.
    Token,
    /// Nothing recognisable.
    Unreadable,
}

/// A time as found in a seal or signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealTime {
    /// The characters as stored (lossy UTF-8 for display).
    pub text: String,
    /// The form recognised.
    pub form: TimeForm,
    /// Seconds since the Unix epoch, when a time could be read.
    pub unix: Option<i64>,
    /// No zone was written and UTC+8 was assumed.
    pub zone_assumed: bool,
}

impl SealTime {
    /// A time element of a V4 seal or signature: GeneralizedTime or UTCTime
    /// tag, content read leniently whatever the tag says.
    pub(crate) fn from_time_tlv(tlv: Tlv<'_>) -> Option<SealTime> {
        match tlv.tag {
            tag::GENERALIZED_TIME | tag::UTC_TIME => Some(parse_text(tlv.value)),
            _ => None,
        }
    }

    /// GM/T 0031 `timeInfo`: a BIT STRING whose content is text, a DER time or
    /// a timestamp token.
    pub(crate) fn from_v1_bits(data: &[u8]) -> SealTime {
        if let Ok(inner) = Tlv::parse_whole(data, "timeInfo") {
            if let Some(t) = SealTime::from_time_tlv(inner) {
                return t;
            }
            if inner.tag == tag::SEQUENCE {
                return SealTime {
                    text: format!("<timestamp token, {} bytes>", data.len()),
                    form: TimeForm::Token,
                    unix: None,
                    zone_assumed: false,
                };
            }
        }
        parse_text(data)
    }
}

/// Read any of the textual forms.
pub fn parse_text(raw: &[u8]) -> SealTime {
    let text = String::from_utf8_lossy(raw).into_owned();
    let s = text.trim_end_matches('\0').trim();
    let unreadable = || SealTime {
        text: text.clone(),
        form: TimeForm::Unreadable,
        unix: None,
        zone_assumed: false,
    };
    // Split off the zone.
    let (body, offset) = match split_zone(s) {
        Some(x) => x,
        None => return unreadable(),
    };
    let digits_only = body.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let (form, fields) = if digits_only {
        let main = body.split('.').next().unwrap_or("");
        match main.len() {
            14 => (TimeForm::Generalized, fixed(main, &[4, 2, 2, 2, 2, 2])),
            12 => (
                TimeForm::Utc,
                fixed(main, &[2, 2, 2, 2, 2, 2]).map(|mut f| {
                    f[0] += if f[0] < 50 { 2000 } else { 1900 };
                    f
                }),
            ),
            _ => (TimeForm::Unreadable, None),
        }
    } else {
        (TimeForm::Text, text_fields(body))
    };
    let Some(f) = fields else {
        return unreadable();
    };
    let Some(local) = civil_to_unix(f) else {
        return unreadable();
    };
    SealTime {
        text: text.clone(),
        form,
        unix: Some(local - offset.unwrap_or(ASSUMED_OFFSET_SECS)),
        zone_assumed: offset.is_none(),
    }
}

/// `Z` → 0, `±hhmm`/`±hh:mm` → that offset, nothing → None (no zone written).
/// None as a whole only when a zone's digits do not read.
fn split_zone(s: &str) -> Option<(&str, Option<i64>)> {
    if let Some(body) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return Some((body, Some(0)));
    }
    // A sign at or after position 10 (the date's own hyphens come before).
    if let Some(pos) = s.rfind(['+', '-']).filter(|&p| p >= 10) {
        let zone: String = s[pos + 1..].chars().filter(|c| *c != ':').collect();
        if zone.len() == 4 && zone.bytes().all(|b| b.is_ascii_digit()) {
            let h: i64 = zone[..2].parse().ok()?;
            let m: i64 = zone[2..].parse().ok()?;
            let sign = if &s[pos..=pos] == "-" { -1 } else { 1 };
            return Some((&s[..pos], Some(sign * (h * 3600 + m * 60))));
        }
    }
    Some((s, None))
}

fn fixed(s: &str, widths: &[usize]) -> Option<[i64; 6]> {
    let mut out = [0i64; 6];
    let mut at = 0;
    for (i, &w) in widths.iter().enumerate() {
        out[i] = s.get(at..at + w)?.parse().ok()?;
        at += w;
    }
    Some(out)
}

/// `YYYY-MM-DD HH:MM:SS[.fff]` or `YYYY-MM-DDTHH:MM:SS[.fff]`.
fn text_fields(s: &str) -> Option<[i64; 6]> {
    let (date, time) = s.split_once([' ', 'T'])?;
    let mut d = date.split('-');
    let mut t = time.split('.').next()?.split(':');
    let mut out = [0i64; 6];
    for slot in out.iter_mut().take(3) {
        *slot = d.next()?.trim().parse().ok()?;
    }
    for slot in out.iter_mut().skip(3) {
        *slot = t.next()?.trim().parse().ok()?;
    }
    Some(out)
}

/// Seconds since the epoch for a proleptic Gregorian date and time, or None
/// when a field is out of range.
pub fn civil_to_unix(f: [i64; 6]) -> Option<i64> {
    let [y, mo, d, h, mi, s] = f;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    if h < 0 || mi < 0 || s < 0 || !(1..=9999).contains(&y) {
        return None;
    }
    // Days from civil (H. Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s)
}

/// `[year, month, day, hour, minute, second]` (UTC) of a Unix time.
pub fn unix_to_civil(unix: i64) -> [i64; 6] {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    [y, m, d, secs / 3600, secs % 3600 / 60, secs % 60]
}

/// `YYYYMMDDHHMMSSZ` for a Unix time (what our builders write).
pub fn generalized(unix: i64) -> String {
    let [y, m, d, h, mi, s] = unix_to_civil(unix);
    format!("{y:04}{m:02}{d:02}{h:02}{mi:02}{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_seen_in_real_files() {
        let z = parse_text(b"20200305112131Z");
        assert_eq!(
            (z.form, z.unix, z.zone_assumed),
            (TimeForm::Generalized, Some(1_583_407_291), false)
        );
        // Local time, no zone: UTC+8.
        let local = parse_text(b"20200305192131");
        assert_eq!(local.unix, z.unix);
        assert!(local.zone_assumed);
        // A UTCTime string under the GeneralizedTime tag.
        let utc = parse_text(b"200305112131Z");
        assert_eq!((utc.form, utc.unix), (TimeForm::Utc, z.unix));
        let iso = parse_text(b"2020-03-05T11:21:31.377Z");
        assert_eq!((iso.form, iso.unix), (TimeForm::Text, z.unix));
        let plain = parse_text(b"2020-03-05 19:21:31");
        assert_eq!(plain.unix, z.unix);
        let offset = parse_text(b"20200305192131+0800");
        assert_eq!((offset.unix, offset.zone_assumed), (z.unix, false));
        assert_eq!(parse_text(b"garbage").form, TimeForm::Unreadable);
        assert_eq!(parse_text(b"20201305112131Z").unix, None);
    }

    #[test]
    fn generalized_round_trips() {
        for t in [0i64, 1_583_407_291, 4_102_444_799, 951_782_400] {
            assert_eq!(parse_text(generalized(t).as_bytes()).unix, Some(t));
        }
    }
}
