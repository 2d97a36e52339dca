//! `SES_Signature`: one stamping of a document with a seal (`docs/spec/seals.md` §3).

use serde::Serialize;

use crate::ParseError;
use crate::asn1::{self, Bits, Tlv, tag};
use crate::seal::{ExtData, Seal, SealVersion, ext_data_list, lossy};
use crate::time::SealTime;

/// How the optional `[0]` timestamp was tagged (P13: all three are seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampTagging {
    /// `A0 { 03 … }`, as the standard's EXPLICIT reading and ofdrw write.
    Explicit,
    /// `80 …`, IMPLICIT.
    Implicit,
    /// A bare `03 …` with no tag.
    Untagged,
}

/// A parsed `SES_Signature`, every part a slice of the original bytes.
#[derive(Debug, Clone)]
pub struct SesSignature<'a> {
    /// Layout.
    pub version: SealVersion,
    /// The whole `SES_Signature` as found.
    pub raw: &'a [u8],
    /// `TBS_Sign` as found: what the signer signed.
    pub tbs_raw: &'a [u8],
    /// `TBS_Sign.version`.
    pub tbs_version: i64,
    /// The seal it was made with.
    pub seal: Seal<'a>,
    /// `timeInfo`: when the signer says it signed.
    pub time_info: SealTime,
    /// `dataHash`: SM3 of the signed original (`Signature.xml` in an OFD).
    pub data_hash: Bits<'a>,
    /// `propertyInfo`: usually the path of `Signature.xml`.
    pub property_info: &'a [u8],
    /// `TBS_Sign.extDatas` (V4/V5).
    pub ext_datas: Vec<ExtData<'a>>,
    /// The signer's certificate (DER); inside `TBS_Sign` in V1.
    pub cert: &'a [u8],
    /// The signature algorithm (dotted OID).
    pub sign_alg: String,
    /// The signature value over `TBS_Sign`.
    pub signature: Bits<'a>,
    /// The `timeStamp` content (a GB/T 20520 token) and how it was tagged.
    pub timestamp: Option<(&'a [u8], TimestampTagging)>,
}

impl<'a> SesSignature<'a> {
    /// Parse a `SES_Signature` filling `bytes` exactly.
    pub fn parse(bytes: &'a [u8]) -> Result<SesSignature<'a>, ParseError> {
        let outer =
            Tlv::parse_whole(bytes, "SES_Signature")?.expect(tag::SEQUENCE, "SES_Signature")?;
        let fields = outer.children().all("SES_Signature")?;
        match fields.len() {
            2 => parse_v1(outer.raw, &fields),
            4 | 5 => parse_v4(outer.raw, &fields),
            _ => Err(ParseError::new(
                "SES_Signature",
                "neither 2 (V1) nor 4-5 (V4/V5) fields",
            )),
        }
    }

    /// `propertyInfo` as text.
    pub fn property_info(&self) -> String {
        lossy(self.property_info)
    }
}

fn parse_v1<'a>(raw: &'a [u8], fields: &[Tlv<'a>]) -> Result<SesSignature<'a>, ParseError> {
    let tbs = fields[0].expect(tag::SEQUENCE, "TBS_Sign")?;
    let signature = asn1::bits(fields[1], "SES_Signature.signature")?;
    let mut r = tbs.children();
    let tbs_version = asn1::small_int(r.next("TBS_Sign.version")?, "TBS_Sign.version")?;
    let seal = Seal::from_tlv(r.expect(tag::SEQUENCE, "TBS_Sign.eseal")?)?;
    let time_bits = asn1::bits(r.next("TBS_Sign.timeInfo")?, "TBS_Sign.timeInfo")?;
    let data_hash = asn1::bits(r.next("TBS_Sign.dataHash")?, "TBS_Sign.dataHash")?;
    let property_info =
        crate::seal::any_string(r.next("TBS_Sign.propertyInfo")?, "TBS_Sign.propertyInfo")?;
    let cert = r.expect(tag::OCTET_STRING, "TBS_Sign.cert")?.value;
    let alg = r.expect(tag::OID, "TBS_Sign.signatureAlgorithm")?;
    r.finish("TBS_Sign")?;
    Ok(SesSignature {
        version: SealVersion::V1,
        raw,
        tbs_raw: tbs.raw,
        tbs_version,
        seal,
        time_info: SealTime::from_v1_bits(time_bits.data),
        data_hash,
        property_info,
        ext_datas: Vec::new(),
        cert,
        sign_alg: asn1::oid_string(alg.value).unwrap_or_else(|| "<bad OID>".into()),
        signature,
        timestamp: None,
    })
}

fn parse_v4<'a>(raw: &'a [u8], fields: &[Tlv<'a>]) -> Result<SesSignature<'a>, ParseError> {
    let tbs = fields[0].expect(tag::SEQUENCE, "TBS_Sign")?;
    let cert = fields[1]
        .expect(tag::OCTET_STRING, "SES_Signature.cert")?
        .value;
    let alg = fields[2].expect(tag::OID, "SES_Signature.signatureAlgID")?;
    let signature = asn1::bits(fields[3], "SES_Signature.signature")?;
    let timestamp = match fields.get(4) {
        Some(t) => Some(timestamp_tagged(*t, "SES_Signature.timeStamp")?),
        None => None,
    };
    let mut r = tbs.children();
    let tbs_version = asn1::small_int(r.next("TBS_Sign.version")?, "TBS_Sign.version")?;
    let seal = Seal::from_tlv(r.expect(tag::SEQUENCE, "TBS_Sign.eseal")?)?;
    let t = r.next("TBS_Sign.timeInfo")?;
    let time_info = SealTime::from_time_tlv(t)
        .ok_or_else(|| ParseError::new("TBS_Sign.timeInfo", "not a time").with_tag(t.tag))?;
    let data_hash = asn1::bits(r.next("TBS_Sign.dataHash")?, "TBS_Sign.dataHash")?;
    let property_info =
        crate::seal::any_string(r.next("TBS_Sign.propertyInfo")?, "TBS_Sign.propertyInfo")?;
    let ext_datas = match r.optional(tag::CONTEXT_0, "TBS_Sign.extDatas")? {
        Some(t) => tagged_ext_datas(t)?,
        None => Vec::new(),
    };
    r.finish("TBS_Sign")?;
    let version = if seal.version == SealVersion::V5 || seal.header.version == 5 {
        SealVersion::V5
    } else {
        SealVersion::V4
    };
    Ok(SesSignature {
        version,
        raw,
        tbs_raw: tbs.raw,
        tbs_version,
        seal,
        time_info,
        data_hash,
        property_info,
        ext_datas,
        cert,
        sign_alg: asn1::oid_string(alg.value).unwrap_or_else(|| "<bad OID>".into()),
        signature,
        timestamp,
    })
}

/// `[0] ExtensionDatas`: EXPLICIT (`A0 { 30 { 30 … } }`) or IMPLICIT
/// (`A0 { 30 … }`, the ExtData elements directly).
fn tagged_ext_datas(t: Tlv<'_>) -> Result<Vec<ExtData<'_>>, ParseError> {
    let inner = t.children().all("TBS_Sign.extDatas")?;
    let explicit = inner.len() == 1
        && inner[0].tag == tag::SEQUENCE
        && inner[0].children().peek_tag() == Some(tag::SEQUENCE);
    if explicit {
        ext_data_list(inner[0].value)
    } else {
        ext_data_list(t.value)
    }
}

fn timestamp_tagged<'a>(
    t: Tlv<'a>,
    what: &'static str,
) -> Result<(&'a [u8], TimestampTagging), ParseError> {
    match t.tag {
        tag::CONTEXT_0 => {
            let inner = Tlv::parse_whole(t.value, what)?;
            Ok((asn1::bits(inner, what)?.data, TimestampTagging::Explicit))
        }
        tag::CONTEXT_0_PRIMITIVE => {
            let (_, data) = t
                .value
                .split_first()
                .ok_or_else(|| ParseError::new(what, "empty"))?;
            Ok((data, TimestampTagging::Implicit))
        }
        tag::BIT_STRING => Ok((asn1::bits(t, what)?.data, TimestampTagging::Untagged)),
        other => Err(ParseError::new(what, "unexpected tag").with_tag(other)),
    }
}

/// The V5 seal timestamp field (same three taggings).
pub(crate) fn timestamp_field<'a>(t: Tlv<'a>, what: &'static str) -> Result<&'a [u8], ParseError> {
    timestamp_tagged(t, what).map(|(d, _)| d)
}
