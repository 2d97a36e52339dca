//! Signature import never panics, and what decodes re-encodes to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinzheng_crypto::{Signature, SignatureForm, Suite};

fuzz_target!(|data: &[u8]| {
    for suite in Suite::ALL {
        if let Ok((sig, form)) = Signature::decode(suite, data) {
            match form {
                SignatureForm::Raw => assert_eq!(&sig.to_bytes()[..], data),
                SignatureForm::Der => assert_eq!(sig.to_der().unwrap(), data),
            }
        }
    }
});
