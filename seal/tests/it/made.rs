//! Seals and sealed documents made by this crate verify; every way of
//! damaging one is reported by its check and reason; hostile packages give
//! an error, never a panic.

use yinzheng_seal::{
    CheckCode, DocumentReport, OfdError, Outcome, Reason, Seal, SesSignature, TrustAnchors,
    make_seal, seal_ofd, verify_ofd,
};

use crate::common::*;

const SV: &str = "Doc_0/Signs/Sign_0/SignedValue.dat";

fn checks_of(
    r: &DocumentReport,
    i: usize,
) -> Vec<(CheckCode, Outcome, Option<Reason>, Option<String>)> {
    let s = &r.signatures[i];
    s.seal
        .iter()
        .flat_map(|x| x.checks.iter())
        .chain(s.checks.iter())
        .map(|c| (c.code, c.outcome, c.reason, c.subject.clone()))
        .collect()
}

fn failed(r: &DocumentReport, i: usize) -> Vec<(CheckCode, Option<Reason>)> {
    checks_of(r, i)
        .into_iter()
        .filter(|c| c.1 == Outcome::Fail)
        .map(|c| (c.0, c.2))
        .collect()
}

#[test]
fn a_sealed_document_verifies_with_its_chain() {
    let pki = Pki::new();
    let sealed = pki.sealed_document();
    let anchors = TrustAnchors::from_der(&[&pki.ca.cert]).unwrap();
    let r = verify_ofd(&sealed, &anchors).unwrap();
    assert_eq!(r.signatures.len(), 1);
    assert!(r.all_seals_genuine(), "{:#?}", checks_of(&r, 0));
    let chains: Vec<_> = checks_of(&r, 0)
        .into_iter()
        .filter(|c| c.0 == CheckCode::CertChain)
        .collect();
    assert_eq!(chains.len(), 2);
    assert!(chains.iter().all(|c| c.1 == Outcome::Pass));
    // Every file but the signature list and the signature's own files is protected.
    assert!(r.unprotected.is_empty(), "{:?}", r.unprotected);
    let refs = checks_of(&r, 0)
        .into_iter()
        .filter(|c| c.0 == CheckCode::Reference)
        .count();
    assert_eq!(refs, 4, "OFD.xml, Document.xml, PublicRes.xml, the page");

    // Without anchors: genuine, chains not checked.
    let r = verify_ofd(&sealed, &TrustAnchors::none()).unwrap();
    assert!(r.all_seals_genuine());
    // Under another CA: untrusted.
    let other = Pki::new();
    let r = verify_ofd(&sealed, &TrustAnchors::from_der(&[&other.ca.cert]).unwrap()).unwrap();
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::CertChain, Some(Reason::Untrusted)); 2]
    );
}

#[test]
fn a_second_seal_keeps_the_first_verifiable() {
    let pki = Pki::new();
    let once = pki.sealed_document();
    let seal = pki.seal();
    let twice = seal_ofd(&once, &pki.request(&seal, T0 + 2 * 86_400)).unwrap();
    let r = verify_ofd(&twice, &TrustAnchors::none()).unwrap();
    assert_eq!(r.signatures.len(), 2);
    assert!(r.all_seals_genuine(), "{:#?}", checks_of(&r, 0));
    assert_eq!(
        r.signatures[1].signature_xml,
        "Doc_0/Signs/Sign_1/Signature.xml"
    );
    // The second protects the first's files.
    let second: Vec<_> = checks_of(&r, 1).into_iter().filter_map(|c| c.3).collect();
    assert!(second.iter().any(|s| s == SV));
}

#[test]
fn an_edited_page_is_named() {
    let pki = Pki::new();
    let page = "Doc_0/Pages/Page_0/Content.xml";
    let edited = edit(&pki.sealed_document(), page, |b| {
        String::from_utf8_lossy(b)
            .replace("测试公司", "另一公司")
            .into_bytes()
    });
    let r = verify_ofd(&edited, &TrustAnchors::none()).unwrap();
    assert!(
        r.signatures[0].seal.as_ref().unwrap().genuine(),
        "the seal itself is still genuine"
    );
    assert_eq!(r.signatures[0].changed_files(), vec![page]);
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::Reference, Some(Reason::HashMismatch))]
    );
    assert!(!r.all_seals_genuine());
}

#[test]
fn a_rewritten_signature_xml_breaks_the_data_hash() {
    let pki = Pki::new();
    let edited = edit(
        &pki.sealed_document(),
        "Doc_0/Signs/Sign_0/Signature.xml",
        |b| {
            let mut v = b.to_vec();
            v.push(b'\n');
            v
        },
    );
    let r = verify_ofd(&edited, &TrustAnchors::none()).unwrap();
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::DataHash, Some(Reason::HashMismatch))]
    );
}

#[test]
fn a_forged_signature_value_fails() {
    let pki = Pki::new();
    let sealed = pki.sealed_document();
    // Flip one bit of s (the last byte of the DER signature).
    let forged = edit(&sealed, SV, |b| {
        let mut v = b.to_vec();
        let last = v.len() - 1;
        v[last] ^= 1;
        v
    });
    let r = verify_ofd(&forged, &TrustAnchors::none()).unwrap();
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::Signature, Some(Reason::SignatureMismatch))]
    );
}

/// Re-encode the signature value of a SES_Signature (the tail BIT STRING).
fn with_signature_value(sv: &[u8], unused: u8, value: &[u8]) -> Vec<u8> {
    let parsed = SesSignature::parse(sv).unwrap();
    let start = parsed.raw.len() - parsed.signature.data.len() - 1;
    // Rebuild: header of the outer SEQUENCE and of the BIT STRING change.
    let inner = &sv[..start];
    // Strip the old BIT STRING header (tag + length, here 2 bytes for ≤ 127).
    let body_start = {
        let mut r = 2;
        if sv[1] & 0x80 != 0 {
            r += usize::from(sv[1] & 0x7F);
        }
        r
    };
    let fields = &inner[body_start..inner.len() - 2];
    let mut bits = vec![0x03, u8::try_from(value.len() + 1).unwrap(), unused];
    bits.extend_from_slice(value);
    let mut content = fields.to_vec();
    content.extend_from_slice(&bits);
    let mut out = vec![0x30, 0x82];
    out.extend_from_slice(&u16::try_from(content.len()).unwrap().to_be_bytes());
    out.extend_from_slice(&content);
    out
}

#[test]
fn signature_value_forms_seen_in_the_wild() {
    let pki = Pki::new();
    let sealed = pki.sealed_document();
    let files = unzip(&sealed);
    let sv = &files.iter().find(|(n, _)| n == SV).unwrap().1;
    let parsed = SesSignature::parse(sv).unwrap();
    let der = parsed.signature.data.to_vec();
    let (sig, _) = yinzheng_crypto::Signature::decode(yinzheng_crypto::Suite::Sm, &der).unwrap();
    let raw = sig.to_bytes();
    let run = |unused: u8, value: &[u8]| {
        let new_sv = with_signature_value(sv, unused, value);
        assert!(SesSignature::parse(&new_sv).is_ok());
        let doc = edit(&sealed, SV, |_| new_sv.clone());
        verify_ofd(&doc, &TrustAnchors::none()).unwrap()
    };
    // The builder's own encoding round-trips through the rebuild.
    assert!(run(0, &der).all_seals_genuine());
    // Raw r‖s, and raw behind a garbage unused-bits octet: accepted.
    assert!(run(0, &raw).all_seals_genuine());
    let r = run(2, &raw);
    assert!(r.all_seals_genuine());
    assert!(
        checks_of(&r, 0)
            .iter()
            .any(|c| c.0 == CheckCode::Signature && c.1 == Outcome::Pass)
    );
    // Truncated DER: its own reason.
    let r = run(7, &der[..der.len() - 1]);
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::Signature, Some(Reason::SignatureTruncated))]
    );
    // Garbage: an encoding failure, not a panic.
    let r = run(0, &[0x55; 40]);
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::Signature, Some(Reason::SignatureEncoding))]
    );
}

#[test]
fn a_swapped_seal_file_differs() {
    let pki = Pki::new();
    let other = pki.seal(); // same spec, fresh maker signature: other bytes
    let doc = edit(
        &pki.sealed_document(),
        "Doc_0/Signs/Sign_0/Seal.esl",
        |_| other.clone(),
    );
    let r = verify_ofd(&doc, &TrustAnchors::none()).unwrap();
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::SealFile, Some(Reason::Differs))]
    );
}

#[test]
fn seal_rules_unlisted_signer_expired_seal_forged_maker() {
    let pki = Pki::new();
    let doc = yinzheng_seal::ofd::text_document("t", &[]).unwrap();
    // A signer the seal does not admit.
    let stranger = Pki::new();
    let seal = pki.seal();
    let mut req = pki.request(&seal, T0 + 10);
    req.key = &stranger.signer.key;
    req.cert = &stranger.signer.cert;
    let r = verify_ofd(&seal_ofd(&doc, &req).unwrap(), &TrustAnchors::none()).unwrap();
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::SignerInCertList, Some(Reason::NotListed))]
    );
    // Signed after the seal's validity ended.
    let r = verify_ofd(
        &seal_ofd(&doc, &pki.request(&seal, T0 + 4 * YEAR)).unwrap(),
        &TrustAnchors::none(),
    )
    .unwrap();
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::SealValidity, Some(Reason::Expired))]
    );
    // Before it started.
    let r = verify_ofd(
        &seal_ofd(&doc, &pki.request(&seal, T0 - 10)).unwrap(),
        &TrustAnchors::none(),
    )
    .unwrap();
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::SealValidity, Some(Reason::NotYetValid))]
    );
    // A seal "made" by a key that is not its maker certificate's.
    let forged = make_seal(&pki.seal_spec(b"png"), &stranger.maker.key, &pki.maker.cert).unwrap();
    let r = verify_ofd(
        &seal_ofd(&doc, &pki.request(&forged, T0 + 10)).unwrap(),
        &TrustAnchors::none(),
    )
    .unwrap();
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::MakerSignature, Some(Reason::SignatureMismatch))]
    );
    assert_eq!(Seal::parse(&forged).unwrap().es_id(), "4403050000001");
}

#[test]
fn a_missing_or_garbage_signed_value_is_a_format_failure() {
    let pki = Pki::new();
    let sealed = pki.sealed_document();
    let garbage = edit(&sealed, SV, |_| b"not DER at all".to_vec());
    let r = verify_ofd(&garbage, &TrustAnchors::none()).unwrap();
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::Format, Some(Reason::Malformed))]
    );
    let mut files = unzip(&sealed);
    files.retain(|(n, _)| n != SV);
    let r = verify_ofd(&zip_of(&files), &TrustAnchors::none()).unwrap();
    assert_eq!(
        failed(&r, 0),
        vec![(CheckCode::Format, Some(Reason::MissingFile))]
    );
}

#[test]
fn hostile_packages_are_refused() {
    let pki = Pki::new();
    let sealed = pki.sealed_document();
    assert!(matches!(
        verify_ofd(b"PK\x03\x04 not really", &TrustAnchors::none()),
        Err(OfdError::NotZip(_))
    ));
    assert!(matches!(
        verify_ofd(&[], &TrustAnchors::none()),
        Err(OfdError::NotZip(_))
    ));
    // Path traversal.
    let mut files = unzip(&sealed);
    files.push(("../../etc/passwd".into(), b"x".to_vec()));
    assert!(matches!(
        verify_ofd(&zip_of(&files), &TrustAnchors::none()),
        Err(OfdError::UnsafeName(_))
    ));
    // Two entries of one name: which would be hashed?
    let mut files = unzip(&sealed);
    let page = files
        .iter()
        .find(|(n, _)| n.ends_with("Content.xml"))
        .unwrap()
        .clone();
    files.push((format!("/{}", page.0), b"<evil/>".to_vec()));
    assert!(matches!(
        verify_ofd(&zip_of(&files), &TrustAnchors::none()),
        Err(OfdError::DuplicateEntry(_))
    ));
    // A zip bomb: 300 MiB of zeros compresses to a few hundred KiB.
    let bomb = zip_of(&[("OFD.xml".into(), vec![0u8; 300 << 20])]);
    assert!(bomb.len() < 2 << 20);
    assert!(matches!(
        verify_ofd(&bomb, &TrustAnchors::none()),
        Err(OfdError::TooLarge(_))
    ));
    // No OFD.xml; OFD.xml not XML; a DTD (entity expansion) refused.
    let r = verify_ofd(
        &zip_of(&[("a".into(), b"x".to_vec())]),
        &TrustAnchors::none(),
    );
    assert!(matches!(r, Err(OfdError::Missing(_))));
    let r = verify_ofd(
        &zip_of(&[("OFD.xml".into(), b"<a><b></a>".to_vec())]),
        &TrustAnchors::none(),
    );
    assert!(matches!(r, Err(OfdError::Xml { .. })));
    let dtd = b"<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"xx\">]><a>&x;</a>".to_vec();
    let r = verify_ofd(&zip_of(&[("OFD.xml".into(), dtd)]), &TrustAnchors::none());
    assert!(matches!(r, Err(OfdError::Xml { .. })));
}

#[test]
fn an_unsigned_document_has_no_seals() {
    let doc = yinzheng_seal::ofd::text_document("无印章", &["x"]).unwrap();
    let r = verify_ofd(&doc, &TrustAnchors::none()).unwrap();
    assert!(r.signatures.is_empty());
    assert!(!r.all_seals_genuine());
    assert_eq!(r.unprotected.len(), 4);
}
