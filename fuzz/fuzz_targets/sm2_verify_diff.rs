//! The fast SM2 verification path and the reference (`sm2` crate) path must
//! agree on every input.
//!
//! Input: 32 bytes of secret scalar, 1 byte of mode, 64 bytes of signature,
//! the rest the message. Mode bit 0 set: sign the message properly, then flip
//! the bit numbered by the signature bytes' first two bytes (or none). Mode
//! bit 1 set: verify with the key hot (its fixed-base table) as well as on
//! the ordinary path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yinzheng_crypto::{Signature, Sm2SigningKey, Suite};

fuzz_target!(|data: &[u8]| {
    if data.len() < 97 {
        return;
    }
    let Ok(sk) = Sm2SigningKey::from_bytes(&data[..32], yinzheng_crypto::DEFAULT_DISTID) else {
        return;
    };
    let vk = sk.verifying_key();
    let mode = data[32];
    let msg = &data[97..];
    let mut raw = [0u8; 64];
    raw.copy_from_slice(&data[33..97]);
    if mode & 1 == 1 {
        raw = sk.sign(msg).unwrap().to_bytes();
        let bit = usize::from(u16::from_le_bytes([data[33], data[34]])) % 600;
        if bit < 512 {
            raw[bit / 8] ^= 1 << (bit % 8);
        }
    }
    let Ok(sig) = Signature::from_raw(Suite::Sm, &raw) else { return };
    if mode & 2 == 2 {
        vk.make_hot();
    }
    let fast = vk.verify(msg, &sig).is_ok();
    let ordinary = vk.verify_ordinary(msg, &sig).is_ok();
    let reference = vk.verify_reference(msg, &sig).is_ok();
    assert_eq!((fast, ordinary), (reference, reference));
});
