//! The real and synthetic files of `../shared/gbt38540/samples/` give exactly
//! the results their provenance notes record. The files are not part of this
//! repository: where they are absent the tests say so and pass, and the
//! generated documents of `made.rs` cover the same code paths.

use std::path::PathBuf;

use yinzheng_seal::{
    CheckCode, DocumentReport, EntryKind, Outcome, Reason, SealVersion, SigEncoding, TrustAnchors,
    verify_ofd, verify_seal, verify_signature,
};

fn samples_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/gbt38540/samples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: the GB/T 38540 sample files are not beside this clone ({}); \
             the generated documents in made.rs cover the same checks",
            dir.display()
        );
        None
    }
}

fn read(name: &str) -> Option<Vec<u8>> {
    samples_dir().map(|d| std::fs::read(d.join(name)).expect("sample file"))
}

fn doc(name: &str) -> Option<DocumentReport> {
    let bytes = read(name)?;
    let report = verify_ofd(&bytes, &TrustAnchors::none()).expect("document verifies to a report");
    eprintln!("{name}: {}", serde_json::to_string_pretty(&report).unwrap());
    Some(report)
}

fn outcome(report: &DocumentReport, i: usize, code: CheckCode) -> Option<Outcome> {
    let s = &report.signatures[i];
    s.seal
        .as_ref()
        .and_then(|r| r.outcome(code))
        .or_else(|| s.checks.iter().find(|c| c.code == code).map(|c| c.outcome))
}

/// Fully valid: every check passes, chains not checked (no anchors shipped).
fn assert_fully_valid(name: &str, refs: usize) {
    let Some(report) = doc(name) else { return };
    let seals: Vec<_> = report
        .signatures
        .iter()
        .filter(|s| s.kind == EntryKind::Seal)
        .collect();
    assert_eq!(seals.len(), 1, "{name}");
    let s = seals[0];
    assert!(s.genuine(), "{name}: {:#?}", s.checks);
    let r = s.seal.as_ref().unwrap();
    for code in [
        CheckCode::MakerSignature,
        CheckCode::Signature,
        CheckCode::SignerInCertList,
        CheckCode::SignerCert,
        CheckCode::SealValidity,
    ] {
        assert_eq!(r.outcome(code), Some(Outcome::Pass), "{name}: {code:?}");
    }
    assert_eq!(
        r.checks
            .iter()
            .filter(|c| c.code == CheckCode::CertChain)
            .map(|c| c.reason)
            .collect::<Vec<_>>(),
        vec![Some(Reason::NoTrustAnchors); 2],
        "{name}: chains are reported as not checked"
    );
    let passed = s
        .checks
        .iter()
        .filter(|c| c.code == CheckCode::Reference && c.outcome == Outcome::Pass)
        .count();
    assert_eq!(passed, refs, "{name}");
    assert!(s.changed_files().is_empty());
    assert_eq!(
        outcome(&report, 0, CheckCode::DataHash),
        Some(Outcome::Pass)
    );
    assert!(report.all_seals_genuine());
}

#[test]
fn gomain_e_invoice_is_fully_valid() {
    assert_fully_valid("v4_einvoice_baiwang_gomain_valid.ofd", 17);
    if let Some(report) = doc("v4_einvoice_baiwang_gomain_valid.ofd") {
        assert_eq!(
            outcome(&report, 0, CheckCode::SealFile),
            Some(Outcome::Pass)
        );
    }
}

#[test]
fn kinggrid_e_invoice_is_fully_valid_without_type_or_seal_file() {
    assert_fully_valid("v4_einvoice_kinggrid_valid.ofd", 20);
    if let Some(report) = doc("v4_einvoice_kinggrid_valid.ofd") {
        assert_eq!(report.signatures[0].declared_type, None);
        assert_eq!(outcome(&report, 0, CheckCode::SealFile), None);
    }
}

#[test]
fn antchain_e_invoice_is_fully_valid() {
    assert_fully_valid("v4_einvoice_antchain_valid.ofd", 7);
}

/// Every cryptographic and document check passes, as the provenance notes
/// record; but the document was signed in 2026 with a test seal and
/// certificate that expired in 2022, and GB/T 38540 §7.3 judges validity at
/// `timeInfo`: both windows fail with `EXPIRED`, so the seal is not genuine.
#[test]
fn ofdrw_test_document_verifies_but_its_seal_had_expired() {
    let Some(report) = doc("v4_ofdrw_testkeys_valid.ofd") else {
        return;
    };
    let s = &report.signatures[0];
    let r = s.seal.as_ref().unwrap();
    for code in [
        CheckCode::MakerSignature,
        CheckCode::Signature,
        CheckCode::SignerInCertList,
        CheckCode::MakerCert,
    ] {
        assert_eq!(r.outcome(code), Some(Outcome::Pass), "{code:?}");
    }
    for code in [CheckCode::SealValidity, CheckCode::SignerCert] {
        let c = r.checks.iter().find(|c| c.code == code).unwrap();
        assert_eq!(
            (c.outcome, c.reason),
            (Outcome::Fail, Some(Reason::Expired)),
            "{code:?}"
        );
    }
    assert_eq!(r.time_info.text, "20260804020809Z");
    assert_eq!(
        outcome(&report, 0, CheckCode::DataHash),
        Some(Outcome::Pass)
    );
    assert_eq!(
        outcome(&report, 0, CheckCode::SealFile),
        Some(Outcome::Pass)
    );
    let refs = s.checks.iter().filter(|c| c.code == CheckCode::Reference);
    assert_eq!(refs.clone().count(), 5);
    assert!(refs.clone().all(|c| c.outcome == Outcome::Pass));
    assert!(!s.genuine());
}

#[test]
fn yunnan_licence_two_genuine_seals_two_edited_pages() {
    let Some(report) = doc("v4_licence_yunnan_2seals_pages_edited.ofd") else {
        return;
    };
    let seals: Vec<_> = report
        .signatures
        .iter()
        .filter(|s| s.kind == EntryKind::Seal)
        .collect();
    assert_eq!(seals.len(), 2);
    for s in &seals {
        let r = s.seal.as_ref().unwrap();
        assert!(r.genuine(), "{:#?}", r.checks);
        assert_eq!(
            outcome(&report, 0, CheckCode::DataHash),
            Some(Outcome::Pass)
        );
        let mut changed = s.changed_files();
        changed.sort();
        assert_eq!(
            changed,
            vec![
                "Doc_0/Pages/Page_0/Content.xml",
                "Doc_0/Pages/Page_1/Content.xml"
            ],
            "the two edited pages, by name"
        );
        assert!(!s.genuine());
    }
    assert!(!report.all_seals_genuine());
}

#[test]
fn shandong_raw_signature_verifies_and_edits_are_found() {
    let Some(report) = doc("v4_shandong_raw_rs_extdatas_edited.ofd") else {
        return;
    };
    let seals: Vec<_> = report
        .signatures
        .iter()
        .filter(|s| s.kind == EntryKind::Seal)
        .collect();
    let signs: Vec<_> = report
        .signatures
        .iter()
        .filter(|s| s.kind == EntryKind::Sign)
        .collect();
    assert_eq!(seals.len(), 1);
    assert_eq!(
        signs.len(),
        1,
        "Sign_3 is a GB/T 35275 signature, reported as such"
    );
    assert_eq!(signs[0].checks[0].code, CheckCode::NotASeal);
    let s = seals[0];
    let r = s.seal.as_ref().unwrap();
    assert_eq!(r.signature_encoding, Some(SigEncoding::Raw));
    assert_eq!(r.outcome(CheckCode::Signature), Some(Outcome::Pass));
    assert_eq!(r.outcome(CheckCode::MakerSignature), Some(Outcome::Pass));
    assert!(r.genuine());
    let refs: Vec<_> = s
        .checks
        .iter()
        .filter(|c| c.code == CheckCode::Reference)
        .collect();
    assert_eq!(
        refs.iter().filter(|c| c.outcome == Outcome::Pass).count(),
        4
    );
    assert_eq!(s.changed_files().len(), 3);
}

#[test]
fn dms360_v1_document_fails_while_its_seal_verifies() {
    let Some(report) = doc("v1_dms360_nonverifying.ofd") else {
        return;
    };
    assert_eq!(report.signatures.len(), 1);
    let s = &report.signatures[0];
    let r = s.seal.as_ref().unwrap();
    assert_eq!(r.version, SealVersion::V1);
    assert_eq!(r.outcome(CheckCode::MakerSignature), Some(Outcome::Pass));
    assert_eq!(r.outcome(CheckCode::Signature), Some(Outcome::Fail));
    assert_eq!(
        r.outcome(CheckCode::SignerInCertList),
        Some(Outcome::Fail),
        "certList holds an IA5String"
    );
    assert_eq!(
        outcome(&report, 0, CheckCode::DataHash),
        Some(Outcome::Fail)
    );
    let refs: Vec<_> = s
        .checks
        .iter()
        .filter(|c| c.code == CheckCode::Reference)
        .collect();
    assert_eq!(refs.len(), 6);
    assert!(refs.iter().all(|c| c.outcome == Outcome::Fail));
}

#[test]
fn bare_v1_seal_maker_signature_verifies() {
    let Some(bytes) = read("v1_ofdrw_testseal.esl") else {
        return;
    };
    let (summary, checks) = verify_seal(&bytes, &TrustAnchors::none()).unwrap();
    assert_eq!(summary.version, SealVersion::V1);
    let maker = checks
        .iter()
        .find(|c| c.code == CheckCode::MakerSignature)
        .unwrap();
    assert_eq!(maker.outcome, Outcome::Pass, "{maker:?}");
}

#[test]
fn hebei_seal_maker_signature_fails() {
    let Some(bytes) = read("v4_hebei_gede_seal_maker_sig_fails.der") else {
        return;
    };
    let (summary, checks) = verify_seal(&bytes, &TrustAnchors::none()).unwrap();
    assert_eq!(summary.version, SealVersion::V4);
    let maker = checks
        .iter()
        .find(|c| c.code == CheckCode::MakerSignature)
        .unwrap();
    assert_eq!(
        (maker.outcome, maker.reason),
        (Outcome::Fail, Some(Reason::SignatureMismatch))
    );
    let cert = checks
        .iter()
        .find(|c| c.code == CheckCode::MakerCert)
        .unwrap();
    assert_eq!(
        (cert.outcome, cert.reason),
        (Outcome::Fail, Some(Reason::Expired)),
        "maker cert expired before the seal was made"
    );
}

#[test]
fn bare_v4_and_v5_signatures_verify_with_zero_data_hash() {
    for (name, version) in [
        ("v4_ofdrw_SignedValue_zero_datahash.dat", SealVersion::V4),
        ("v5_ofdrw_SignedValue_zero_datahash.dat", SealVersion::V5),
    ] {
        let Some(bytes) = read(name) else { return };
        let r = verify_signature(&bytes, &TrustAnchors::none()).unwrap();
        assert_eq!(r.version, version, "{name}");
        assert_eq!(r.data_hash, "00".repeat(32));
        assert_eq!(
            r.outcome(CheckCode::Signature),
            Some(Outcome::Pass),
            "{name}: {:#?}",
            r.checks
        );
        assert_eq!(
            r.outcome(CheckCode::MakerSignature),
            Some(Outcome::Pass),
            "{name}"
        );
        assert_eq!(r.property_info, "/Doc_0/Signs/Sign_0/Signature.xml");
    }
}
