//! The verifier never panics on arbitrary bundle bytes, and never calls them valid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::{BundleVerifier, VerdictStatus};

fn verifier() -> &'static BundleVerifier {
    static V: OnceLock<BundleVerifier> = OnceLock::new();
    V.get_or_init(|| {
        let g = include_str!("../../tests/vectors/genesis.json");
        BundleVerifier::new(&Genesis::from_json(g).unwrap()).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let v = verifier().verify_bytes(data, None);
    // Forging a quorum's SM2 signatures is out of reach of a fuzzer.
    assert!(v.status == VerdictStatus::Invalid || data.len() > 300);
});
