//! Record decoding never panics on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinzheng_ledger::crypto::Suite;
use yinzheng_ledger::{ChainParams, Record};

fuzz_target!(|data: &[u8]| {
    let params = ChainParams::new("yz-test", Suite::Sm);
    if let Ok(r) = Record::decode(&params, data) {
        // Accepted bytes are canonical: decoding them again gives the same id.
        assert_eq!(Record::decode(&params, r.bytes()).unwrap().id(), r.id());
    }
});
