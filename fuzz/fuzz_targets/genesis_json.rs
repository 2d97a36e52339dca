//! Genesis files and a verifier's stored trust history never panic the
//! loader; an accepted genesis builds a verifier and round-trips.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::{BundleVerifier, TrustedHistory};

fn genesis() -> &'static Genesis {
    static G: OnceLock<Genesis> = OnceLock::new();
    G.get_or_init(|| Genesis::from_json(include_str!("../../tests/vectors/genesis.json")).unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(g) = Genesis::from_json(text) {
        assert!(BundleVerifier::new(&g).is_ok());
        assert_eq!(Genesis::from_json(&g.to_json()).unwrap(), g);
    }
    if let Ok(h) = TrustedHistory::from_json(text, genesis()) {
        assert!(BundleVerifier::with_history(genesis(), h).is_ok());
    }
});
