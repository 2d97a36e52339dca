//! One genuine sealed document and every way of damaging it, each with the
//! failures it must produce: checked in process (`made.rs`) and written as
//! the committed vectors `tests/vectors/seals/` (`seal/examples/gen_seal_vectors.rs`).

use yinzheng_seal::{SealRequest, SesSignature, make_seal, ofd, seal_ofd};

use crate::common::*;

pub const SV: &str = "Doc_0/Signs/Sign_0/SignedValue.dat";
pub const PAGE: &str = "Doc_0/Pages/Page_0/Content.xml";

/// A vector: a document, and the `(check, reason, subject)` of every line
/// that must fail (no other line may fail).
pub struct Case {
    pub name: &'static str,
    pub what: &'static str,
    pub document: Vec<u8>,
    pub failures: Vec<(&'static str, &'static str, Option<&'static str>)>,
}

/// Re-encode the signature value (the last BIT STRING) of an SES_Signature.
pub fn with_signature_value(sv: &[u8], unused: u8, value: &[u8]) -> Vec<u8> {
    let parsed = SesSignature::parse(sv).unwrap();
    let old_bits_len = parsed.signature.data.len() + 1;
    let header = if old_bits_len < 0x80 { 2 } else { 3 };
    let outer_header = if sv[1] & 0x80 != 0 {
        2 + usize::from(sv[1] & 0x7F)
    } else {
        2
    };
    let fields = &sv[outer_header..sv.len() - old_bits_len - header];
    let mut content = fields.to_vec();
    content.extend_from_slice(&[0x03, u8::try_from(value.len() + 1).unwrap(), unused]);
    content.extend_from_slice(value);
    let mut out = vec![0x30, 0x82];
    out.extend_from_slice(&u16::try_from(content.len()).unwrap().to_be_bytes());
    out.extend_from_slice(&content);
    out
}

fn sealed_with<'a>(seal: &'a [u8], req: impl Fn(&'a [u8]) -> SealRequest<'a>) -> Vec<u8> {
    let doc = ofd::text_document(
        "建筑工程施工许可证",
        &["编号 440305202612020001", "建设单位 测试公司"],
    )
    .unwrap();
    seal_ofd(&doc, &req(seal)).unwrap()
}

/// Every case, made with `pki`.
pub fn cases(pki: &Pki) -> Vec<Case> {
    let genuine = pki.sealed_document();
    let files = unzip(&genuine);
    let sv = files.iter().find(|(n, _)| n == SV).unwrap().1.clone();
    let parsed = SesSignature::parse(&sv).unwrap();
    let der = parsed.signature.data.to_vec();
    let (sig, _) = yinzheng_crypto::Signature::decode(yinzheng_crypto::Suite::Sm, &der).unwrap();
    let raw = sig.to_bytes();
    let with_sv = |v: Vec<u8>| edit(&genuine, SV, move |_| v.clone());
    let seal = pki.seal();
    let stranger = Pki::new();
    let case = |name, what, document, failures| Case {
        name,
        what,
        document,
        failures,
    };
    vec![
        case(
            "genuine.ofd",
            "a one-page document sealed once: every check passes",
            genuine.clone(),
            vec![],
        ),
        case(
            "two-seals.ofd",
            "sealed twice: the first signature stays verifiable (the signature list is not protected)",
            seal_ofd(&genuine, &pki.request(&seal, T0 + 2 * 86_400)).unwrap(),
            vec![],
        ),
        case(
            "raw-signature.ofd",
            "the signer's signature as raw r‖s behind a garbage unused-bits octet (2): accepted",
            with_sv(with_signature_value(&sv, 2, &raw)),
            vec![],
        ),
        case(
            "edited-page.ofd",
            "a page changed after sealing",
            edit(&genuine, PAGE, |b| {
                String::from_utf8_lossy(b)
                    .replace("测试公司", "另一公司")
                    .into_bytes()
            }),
            vec![("REFERENCE", "HASH_MISMATCH", Some(PAGE))],
        ),
        case(
            "rewritten-signature-xml.ofd",
            "Signature.xml rewritten (one byte appended)",
            edit(&genuine, "Doc_0/Signs/Sign_0/Signature.xml", |b| {
                [b, b"\n"].concat()
            }),
            vec![(
                "DATA_HASH",
                "HASH_MISMATCH",
                Some("Doc_0/Signs/Sign_0/Signature.xml"),
            )],
        ),
        case(
            "forged-signature.ofd",
            "one bit of the signer's signature flipped",
            with_sv({
                let mut v = sv.clone();
                let last = v.len() - 1;
                v[last] ^= 1;
                v
            }),
            vec![("SIGNATURE", "SIGNATURE_MISMATCH", None)],
        ),
        case(
            "truncated-signature.ofd",
            "the DER signature value missing its last byte (unused bits 7)",
            with_sv(with_signature_value(&sv, 7, &der[..der.len() - 1])),
            vec![("SIGNATURE", "SIGNATURE_TRUNCATED", None)],
        ),
        case(
            "garbage-signature.ofd",
            "a 40-byte signature value that is neither DER nor raw",
            with_sv(with_signature_value(&sv, 0, &[0x55; 40])),
            vec![("SIGNATURE", "SIGNATURE_ENCODING", None)],
        ),
        case(
            "swapped-seal-file.ofd",
            "Seal.esl replaced by another seal",
            edit(&genuine, "Doc_0/Signs/Sign_0/Seal.esl", |_| seal.clone()),
            vec![("SEAL_FILE", "DIFFERS", Some("Doc_0/Signs/Sign_0/Seal.esl"))],
        ),
        case(
            "unlisted-signer.ofd",
            "signed with a certificate the seal does not list",
            sealed_with(&seal, |s| SealRequest {
                key: &stranger.signer.key,
                cert: &stranger.signer.cert,
                ..pki.request(s, T0 + 10)
            }),
            vec![("SIGNER_IN_CERT_LIST", "NOT_LISTED", None)],
        ),
        case(
            "signed-after-expiry.ofd",
            "signed four years after the seal was made (valid three)",
            sealed_with(&seal, |s| pki.request(s, T0 + 4 * YEAR)),
            vec![("SEAL_VALIDITY", "EXPIRED", None)],
        ),
        case(
            "signed-before-validity.ofd",
            "signed ten seconds before the seal's validity starts",
            sealed_with(&seal, |s| pki.request(s, T0 - 10)),
            vec![("SEAL_VALIDITY", "NOT_YET_VALID", None)],
        ),
        case(
            "forged-maker.ofd",
            "a seal signed by a key that is not its maker certificate's",
            {
                let forged =
                    make_seal(&pki.seal_spec(b"png"), &stranger.maker.key, &pki.maker.cert)
                        .unwrap();
                sealed_with(&forged, |s| pki.request(s, T0 + 10))
            },
            vec![("MAKER_SIGNATURE", "SIGNATURE_MISMATCH", None)],
        ),
        case(
            "missing-signed-value.ofd",
            "SignedValue.dat absent from the package",
            zip_of(
                &files
                    .iter()
                    .filter(|(n, _)| n != SV)
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
            vec![("FORMAT", "MISSING_FILE", Some(SV))],
        ),
        case(
            "garbage-signed-value.ofd",
            "SignedValue.dat that is not DER",
            with_sv(b"not DER at all".to_vec()),
            vec![("FORMAT", "MALFORMED", Some(SV))],
        ),
    ]
}
