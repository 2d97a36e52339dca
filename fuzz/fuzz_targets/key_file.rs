//! Key files (PKCS#8, SEC1 and SPKI PEM, plain and encrypted): reading
//! arbitrary text never panics, and an accepted private key writes back to
//! PEM that reads as the same key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinzheng_ledger::crypto::{SigningKey, VerifyingKey};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(k) = SigningKey::from_pem(text, None) {
        let pem = k.to_pkcs8_pem().unwrap();
        let again = SigningKey::from_pem(&pem, None).unwrap();
        assert_eq!(again.verifying_key(), k.verifying_key());
    }
    let _ = SigningKey::from_pem(text, Some(b"password"));
    let _ = VerifyingKey::from_pem(text);
});
