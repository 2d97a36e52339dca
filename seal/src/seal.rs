//! `SESeal`: the e-seal itself, in its GM/T 0031-2014 (V1), GB/T 38540-2020
//! (V4) and "V5" layouts (`docs/spec/seals.md` §2).

use std::borrow::Cow;

use serde::Serialize;

use crate::ParseError;
use crate::asn1::{self, Bits, Reader, Tlv, tag};
use crate::time::SealTime;

/// Which layout a seal or signature follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SealVersion {
    /// GM/T 0031-2014: the maker's signature wrapped in `SES_SignInfo`.
    V1,
    /// GB/T 38540-2020.
    V4,
    /// V4 with a seal timestamp (`GM/T 0031-2025` in one implementation).
    V5,
}

/// `SES_Header`.
#[derive(Debug, Clone, Serialize)]
pub struct SealHeader {
    /// Should be "ES".
    pub id: String,
    /// The version number written (not always the layout: see [`SealVersion`]).
    pub version: i64,
    /// Vendor id.
    pub vid: String,
}

/// One entry of the seal's list of admitted signer certificates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertListEntry<'a> {
    /// A DER certificate (`certListType` 1, and V1).
    Cert(&'a [u8]),
    /// A certificate digest (`certListType` 2).
    Digest {
        /// `ObjType`, e.g. "sm3".
        kind: &'a [u8],
        /// The digest.
        value: &'a [u8],
    },
    /// Something else where a certificate belongs (seen: an IA5String "1").
    Other(&'a [u8]),
}

/// `SES_ESPropertyInfo`.
#[derive(Debug, Clone)]
pub struct SealProperty<'a> {
    /// Seal type (1 organisation, 2 person in practice).
    pub seal_type: i64,
    /// The seal's name, as stored (may hold NUL padding or mojibake).
    pub name: &'a [u8],
    /// `certListType` (V4/V5 only).
    pub cert_list_type: Option<i64>,
    /// Admitted signer certificates.
    pub cert_list: Vec<CertListEntry<'a>>,
    /// When the seal was made.
    pub created: SealTime,
    /// Start of the seal's validity.
    pub valid_start: SealTime,
    /// End of the seal's validity.
    pub valid_end: SealTime,
}

/// `SES_ESPictrueInfo`.
#[derive(Debug, Clone)]
pub struct SealPicture<'a> {
    /// "PNG", "GIF", "ofd", …
    pub kind: &'a [u8],
    /// The image bytes.
    pub data: &'a [u8],
    /// Width in millimetres.
    pub width_mm: i64,
    /// Height in millimetres.
    pub height_mm: i64,
}

/// `ExtData`.
#[derive(Debug, Clone)]
pub struct ExtData<'a> {
    /// Dotted OID.
    pub id: String,
    /// Critical flag.
    pub critical: bool,
    /// The value.
    pub value: &'a [u8],
}

/// A parsed `SESeal`, every part a slice of the original bytes.
#[derive(Debug, Clone)]
pub struct Seal<'a> {
    /// Layout.
    pub version: SealVersion,
    /// The whole `SESeal` as found.
    pub raw: &'a [u8],
    /// `SES_SealInfo` as found.
    pub info_raw: &'a [u8],
    /// `SES_Header`.
    pub header: SealHeader,
    /// `esID`, the seal's code.
    pub es_id: &'a [u8],
    /// Properties.
    pub property: SealProperty<'a>,
    /// Picture.
    pub picture: SealPicture<'a>,
    /// `SES_SealInfo.extDatas`.
    pub ext_datas: Vec<ExtData<'a>>,
    /// The seal maker's certificate (DER).
    pub maker_cert: &'a [u8],
    /// The maker's signature algorithm (dotted OID).
    pub sign_alg: String,
    /// The maker's signature value.
    pub signature: Bits<'a>,
    /// The V5 seal timestamp, when present.
    pub timestamp: Option<&'a [u8]>,
    /// What the maker signed: `SES_SealInfo` (V4/V5), or
    /// `SEQUENCE { SES_SealInfo, cert, signatureAlgorithm }` built from the
    /// original element bytes (V1).
    pub signed_message: Cow<'a, [u8]>,
}

impl<'a> Seal<'a> {
    /// Parse a `SESeal` filling `bytes` exactly.
    pub fn parse(bytes: &'a [u8]) -> Result<Seal<'a>, ParseError> {
        let outer = Tlv::parse_whole(bytes, "SESeal")?.expect(tag::SEQUENCE, "SESeal")?;
        Seal::from_tlv(outer)
    }

    pub(crate) fn from_tlv(outer: Tlv<'a>) -> Result<Seal<'a>, ParseError> {
        let outer = outer.expect(tag::SEQUENCE, "SESeal")?;
        let fields = outer.children().all("SESeal")?;
        let info = fields
            .first()
            .copied()
            .ok_or_else(|| ParseError::new("SESeal", "empty"))?;
        let info = info.expect(tag::SEQUENCE, "SES_SealInfo")?;
        // P1: dispatch on structure. 2 fields: V1; 4: V4 (V5 if the header
        // says 5); 5: V5.
        let header_version = peek_header_version(info)?;
        let version = match fields.len() {
            2 => SealVersion::V1,
            4 if header_version == 5 => SealVersion::V5,
            4 => SealVersion::V4,
            5 => SealVersion::V5,
            _ => {
                return Err(ParseError::new(
                    "SESeal",
                    "neither 2 (V1) nor 4-5 (V4/V5) fields",
                ));
            }
        };
        let parsed = parse_info(info, version)?;
        let (maker_cert, alg, signature, timestamp, signed_message) = match version {
            SealVersion::V1 => {
                let sign_info = fields[1].expect(tag::SEQUENCE, "SES_SignInfo")?;
                let mut r = sign_info.children();
                let cert = r.expect(tag::OCTET_STRING, "SES_SignInfo.cert")?;
                let alg = r.expect(tag::OID, "SES_SignInfo.signatureAlgorithm")?;
                let sig = asn1::bits(r.next("SES_SignInfo.signData")?, "SES_SignInfo.signData")?;
                r.finish("SES_SignInfo")?;
                // §3.3: V1 signs SEQUENCE { sealInfo, cert, alg } over the
                // original element bytes.
                let msg = asn1::sequence(&[info.raw, cert.raw, alg.raw]);
                (cert.value, alg, sig, None, Cow::Owned(msg))
            }
            SealVersion::V4 | SealVersion::V5 => {
                let cert = fields[1].expect(tag::OCTET_STRING, "SESeal.cert")?;
                let alg = fields[2].expect(tag::OID, "SESeal.signAlgID")?;
                let sig = asn1::bits(fields[3], "SESeal.signedValue")?;
                let ts = match fields.get(4) {
                    Some(t) => Some(crate::signature::timestamp_field(*t, "SESeal.timeStamp")?),
                    None => None,
                };
                (cert.value, alg, sig, ts, Cow::Borrowed(info.raw))
            }
        };
        Ok(Seal {
            version,
            raw: outer.raw,
            info_raw: info.raw,
            header: parsed.header,
            es_id: parsed.es_id,
            property: parsed.property,
            picture: parsed.picture,
            ext_datas: parsed.ext_datas,
            maker_cert,
            sign_alg: asn1::oid_string(alg.value).unwrap_or_else(|| "<bad OID>".into()),
            signature,
            timestamp,
            signed_message,
        })
    }

    /// The seal's name as text (NUL padding removed, invalid UTF-8 replaced).
    pub fn name(&self) -> String {
        lossy(self.property.name)
    }

    /// `esID` as text.
    pub fn es_id(&self) -> String {
        lossy(self.es_id)
    }
}

pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim_end_matches('\0').to_owned()
}

fn peek_header_version(info: Tlv<'_>) -> Result<i64, ParseError> {
    let mut r = info.children();
    let header = r.expect(tag::SEQUENCE, "SES_Header")?;
    let mut h = header.children();
    h.next("SES_Header.ID")?;
    asn1::small_int(h.next("SES_Header.version")?, "SES_Header.version")
}

struct Info<'a> {
    header: SealHeader,
    es_id: &'a [u8],
    property: SealProperty<'a>,
    picture: SealPicture<'a>,
    ext_datas: Vec<ExtData<'a>>,
}

fn parse_info(info: Tlv<'_>, version: SealVersion) -> Result<Info<'_>, ParseError> {
    let mut r = info.children();
    let header = r.expect(tag::SEQUENCE, "SES_Header")?;
    let mut h = header.children();
    let id = any_string(h.next("SES_Header.ID")?, "SES_Header.ID")?;
    let hv = asn1::small_int(h.next("SES_Header.version")?, "SES_Header.version")?;
    let vid = any_string(h.next("SES_Header.Vid")?, "SES_Header.Vid")?;
    let es_id = any_string(r.next("esID")?, "esID")?;
    let property = parse_property(r.expect(tag::SEQUENCE, "SES_ESPropertyInfo")?, version)?;
    let picture = r.expect(tag::SEQUENCE, "SES_ESPictrueInfo")?;
    let mut p = picture.children();
    let kind = any_string(p.next("picture.type")?, "picture.type")?;
    let data = p.expect(tag::OCTET_STRING, "picture.data")?.value;
    let width_mm = asn1::small_int(p.next("picture.width")?, "picture.width")?;
    let height_mm = asn1::small_int(p.next("picture.height")?, "picture.height")?;
    let ext_datas = match r.optional(tag::SEQUENCE, "SES_SealInfo.extDatas")? {
        Some(list) => ext_data_list(list.value)?,
        None => Vec::new(),
    };
    r.finish("SES_SealInfo")?;
    Ok(Info {
        header: SealHeader {
            id: lossy(id),
            version: hv,
            vid: lossy(vid),
        },
        es_id,
        property,
        picture: SealPicture {
            kind,
            data,
            width_mm,
            height_mm,
        },
        ext_datas,
    })
}

fn parse_property(prop: Tlv<'_>, version: SealVersion) -> Result<SealProperty<'_>, ParseError> {
    let mut r = prop.children();
    let seal_type = asn1::small_int(r.next("property.type")?, "property.type")?;
    let name = any_string(r.next("property.name")?, "property.name")?;
    let cert_list_type = match version {
        SealVersion::V1 => None,
        _ => Some(asn1::small_int(
            r.next("property.certListType")?,
            "property.certListType",
        )?),
    };
    let list = r.expect(tag::SEQUENCE, "property.certList")?;
    let cert_list = list
        .children()
        .all("property.certList")?
        .into_iter()
        .map(|e| cert_entry(e, cert_list_type))
        .collect();
    let mut time = |what: &'static str| -> Result<SealTime, ParseError> {
        let t = r.next(what)?;
        SealTime::from_time_tlv(t)
            .ok_or_else(|| ParseError::new(what, "not a time").with_tag(t.tag))
    };
    let created = time("property.createDate")?;
    let valid_start = time("property.validStart")?;
    let valid_end = time("property.validEnd")?;
    r.finish("SES_ESPropertyInfo")?;
    Ok(SealProperty {
        seal_type,
        name,
        cert_list_type,
        cert_list,
        created,
        valid_start,
        valid_end,
    })
}

fn cert_entry(e: Tlv<'_>, list_type: Option<i64>) -> CertListEntry<'_> {
    match (e.tag, list_type) {
        (tag::OCTET_STRING, None | Some(1)) => CertListEntry::Cert(e.value),
        (tag::SEQUENCE, Some(2)) => {
            let mut r = e.children();
            match (
                r.next("CertDigestObj.type"),
                r.expect(tag::OCTET_STRING, "CertDigestObj.value"),
            ) {
                (Ok(kind), Ok(value)) if r.is_empty() => CertListEntry::Digest {
                    kind: kind.value,
                    value: value.value,
                },
                _ => CertListEntry::Other(e.raw),
            }
        }
        _ => CertListEntry::Other(e.raw),
    }
}

/// Any of the string types, as bytes (P11: junk is kept, not refused).
pub(crate) fn any_string<'a>(t: Tlv<'a>, what: &'static str) -> Result<&'a [u8], ParseError> {
    match t.tag {
        tag::UTF8_STRING | tag::PRINTABLE_STRING | tag::IA5_STRING | 0x14 | 0x1A | 0x1E => {
            Ok(t.value)
        }
        other => Err(ParseError::new(what, "not a string").with_tag(other)),
    }
}

/// `ExtensionDatas` content: a run of `ExtData` SEQUENCEs.
pub(crate) fn ext_data_list(content: &[u8]) -> Result<Vec<ExtData<'_>>, ParseError> {
    let mut out = Vec::new();
    let mut r = Reader::new(content);
    while !r.is_empty() {
        let ext = r.expect(tag::SEQUENCE, "ExtData")?;
        let mut e = ext.children();
        let id = e.expect(tag::OID, "ExtData.extnID")?;
        let critical = match e.optional(tag::BOOLEAN, "ExtData.critical")? {
            Some(b) => b.value.first().is_some_and(|&v| v != 0),
            None => false,
        };
        let value = e.expect(tag::OCTET_STRING, "ExtData.extnValue")?.value;
        e.finish("ExtData")?;
        out.push(ExtData {
            id: asn1::oid_string(id.value).unwrap_or_else(|| "<bad OID>".into()),
            critical,
            value,
        });
    }
    Ok(out)
}
