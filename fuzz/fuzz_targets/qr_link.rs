//! QR payloads and links (`docs/spec/qr.md`): parsing never panics, and what
//! parses re-encodes to a link that parses to the same payload; digits that
//! decode are the one encoding of their bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinzheng_client::qr::{encode_link, parse_link};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(bytes) = yinzheng_ledger::digits::decode(text) {
        assert_eq!(yinzheng_ledger::digits::encode(&bytes), text);
    }
    if let Ok(p) = parse_link(text) {
        let again = parse_link(&encode_link("https://v.example/verify/", &p)).unwrap();
        assert_eq!(format!("{again:?}"), format!("{p:?}"));
    }
});
