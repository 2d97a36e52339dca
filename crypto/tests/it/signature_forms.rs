//! Raw `r‖s` and DER: both decode, and the caller learns which form was seen.

use yinzheng_crypto::{Signature, SignatureForm, Signer, SigningKey, Suite, Verifier};

#[test]
fn raw_and_der_decode_to_the_same_signature() {
    let key = SigningKey::generate(Suite::Sm).unwrap();
    let vk = key.verifying_key();
    for i in 0..200u32 {
        let msg = i.to_be_bytes();
        let sig = key.sign(&msg).unwrap();
        let (raw, form) = Signature::decode(Suite::Sm, sig.as_bytes()).unwrap();
        assert_eq!((raw, form), (sig, SignatureForm::Raw));
        let der = sig.to_der().unwrap();
        let (from_der, form) = Signature::decode(Suite::Sm, &der).unwrap();
        assert_eq!((from_der, form), (sig, SignatureForm::Der));
        vk.verify(&msg, &from_der).unwrap();
    }
}

#[test]
fn short_integers_are_left_padded() {
    // r = 1, s = 0x80 (needs a DER sign byte): minimal DER, padded raw halves.
    let der = [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80];
    let (sig, form) = Signature::decode(Suite::Sm, &der).unwrap();
    assert_eq!(form, SignatureForm::Der);
    let mut raw = [0u8; 64];
    raw[31] = 1;
    raw[63] = 0x80;
    assert_eq!(sig.to_bytes(), raw);
    assert_eq!(sig.to_der().unwrap(), der);
}

#[test]
fn ed25519_has_no_der_form() {
    let key = SigningKey::generate(Suite::Intl).unwrap();
    let sig = key.sign(b"m").unwrap();
    assert_eq!(sig.to_der(), None);
    let (again, form) = Signature::decode(Suite::Intl, sig.as_bytes()).unwrap();
    assert_eq!((again, form), (sig, SignatureForm::Raw));
}
