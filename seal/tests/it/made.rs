//! Seals and sealed documents made by this crate verify; every way of
//! damaging one is reported by its check and reason; hostile packages give
//! an error, never a panic.

use yinzheng_seal::{
    CheckCode, DocumentReport, OfdError, Outcome, Reason, TrustAnchors, seal_ofd, verify_ofd,
};

use crate::common::*;

use crate::cases::SV;

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

/// Every damage of `cases.rs` fails exactly the lines it names, and the
/// undamaged variants are genuine.
#[test]
fn every_damage_gets_its_code() {
    let pki = Pki::new();
    for c in crate::cases::cases(&pki) {
        let r = verify_ofd(&c.document, &TrustAnchors::none()).unwrap();
        assert_eq!(
            crate::vectors::failures(&r),
            c.failures
                .iter()
                .map(|f| crate::vectors::owned(*f))
                .collect::<Vec<_>>(),
            "{}: {}",
            c.name,
            c.what
        );
        assert_eq!(r.all_seals_genuine(), c.failures.is_empty(), "{}", c.name);
    }
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
