//! GB/T 38540 / GM/T 0031 DER: any bytes as a seal, a signature, a
//! certificate or a seal time give a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinzheng_seal::{CertInfo, Seal, SesSignature, TrustAnchors, time, verify_seal, verify_signature};

fuzz_target!(|data: &[u8]| {
    let none = TrustAnchors::none();
    if let Ok(seal) = Seal::parse(data) {
        let _ = (seal.name(), seal.es_id());
    }
    if let Ok(sig) = SesSignature::parse(data) {
        let _ = sig.property_info();
    }
    let _ = verify_seal(data, &none);
    if let Ok(report) = verify_signature(data, &none) {
        let _ = report.genuine();
    }
    let _ = CertInfo::parse(data);
    let _ = time::parse_text(data);
});
