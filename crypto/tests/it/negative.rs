//! Damaged inputs: each refused with its exact error.

use yinzheng_crypto::{CryptoError, Signature, Signer, SigningKey, Suite, Verifier, VerifyingKey};

const N: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";

fn fixture(suite: Suite) -> (SigningKey, VerifyingKey, Vec<u8>, Signature) {
    let sk = SigningKey::generate(suite).unwrap();
    let vk = sk.verifying_key();
    let msg = b"e-certificate 44030020240001".to_vec();
    let sig = sk.sign(&msg).unwrap();
    (sk, vk, msg, sig)
}

#[test]
fn every_bit_flip_in_signature_message_or_key_fails() {
    for suite in Suite::ALL {
        let (_, vk, msg, sig) = fixture(suite);
        for bit in 0..512 {
            let mut b = sig.to_bytes();
            b[bit / 8] ^= 1 << (bit % 8);
            // A flip may push r or s out of range (a decode error) or leave it
            // well-formed (a verify error); it never verifies.
            if let Ok(bad) = Signature::from_raw(suite, &b) {
                assert_eq!(vk.verify(&msg, &bad), Err(CryptoError::SignatureMismatch));
            }
        }
        for bit in 0..msg.len() * 8 {
            let mut m = msg.clone();
            m[bit / 8] ^= 1 << (bit % 8);
            assert_eq!(vk.verify(&m, &sig), Err(CryptoError::SignatureMismatch));
        }
        let key = vk.to_bytes();
        for bit in 8..key.len() * 8 {
            let mut k = key.clone();
            k[bit / 8] ^= 1 << (bit % 8);
            // Most flips leave the curve (a key error); the rest must not verify.
            if let Ok(other) = VerifyingKey::from_bytes(suite, &k) {
                assert!(other.verify(&msg, &sig).is_err(), "suite {suite} bit {bit}");
            }
        }
    }
}

#[test]
fn wrong_key_and_wrong_id_fail() {
    let (_, _, msg, sig) = fixture(Suite::Sm);
    let (_, other, _, _) = fixture(Suite::Sm);
    assert_eq!(
        other.verify(&msg, &sig),
        Err(CryptoError::SignatureMismatch)
    );

    let sk = SigningKey::generate(Suite::Sm).unwrap();
    let sig = sk.sign(&msg).unwrap();
    let pk = sk.verifying_key().to_bytes();
    let wrong_id = VerifyingKey::from_bytes_with_id(Suite::Sm, &pk, "").unwrap();
    assert_eq!(
        wrong_id.verify(&msg, &sig),
        Err(CryptoError::SignatureMismatch)
    );
}

#[test]
fn signature_of_one_suite_is_refused_by_the_other() {
    let (_, _, msg, sm_sig) = fixture(Suite::Sm);
    let (_, ed_vk, _, _) = fixture(Suite::Intl);
    assert_eq!(
        ed_vk.verify(&msg, &sm_sig),
        Err(CryptoError::SuiteMismatch {
            key: Suite::Intl,
            signature: Suite::Sm
        })
    );
}

fn raw(r: &str, s: &str) -> Vec<u8> {
    let mut v = hex::decode(format!("{r:0>64}")).unwrap();
    v.extend(hex::decode(format!("{s:0>64}")).unwrap());
    v
}

#[test]
fn out_of_range_scalars() {
    let one = "01";
    let zero = "00";
    let cases = [
        (raw(zero, one), CryptoError::SignatureRZero),
        (raw(one, zero), CryptoError::SignatureSZero),
        (raw(N, one), CryptoError::SignatureROutOfRange),
        (raw(one, N), CryptoError::SignatureSOutOfRange),
        (
            raw(&"FF".repeat(32), one),
            CryptoError::SignatureROutOfRange,
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(Signature::decode(Suite::Sm, &bytes), Err(want.clone()));
        // The same scalars in DER are refused the same way.
        let der = der_of(&bytes[..32], &bytes[32..]);
        assert_eq!(Signature::decode(Suite::Sm, &der).map(|_| ()), Err(want));
    }
    // n − 1 is the largest valid value.
    let n_minus_1 = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122";
    assert!(Signature::decode(Suite::Sm, &raw(n_minus_1, n_minus_1)).is_ok());
}

fn der_int(x: &[u8]) -> Vec<u8> {
    let first = x.iter().position(|&b| b != 0).unwrap_or(x.len() - 1);
    let mut v = x[first..].to_vec();
    if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    let mut out = vec![0x02, v.len() as u8];
    out.extend(v);
    out
}

fn der_of(r: &[u8], s: &[u8]) -> Vec<u8> {
    let mut body = der_int(r);
    body.extend(der_int(s));
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

#[test]
fn truncated_trailing_and_bad_der() {
    // Bytes that are not 64 long and begin with 0x30 are read as DER, so a
    // raw signature whose r begins with 0x30 (one in 256) fails as DER when
    // cut short: that case is checked on its own below, the length error
    // on a signature that does not begin so.
    let (_, _, _, sig) = std::iter::repeat_with(|| fixture(Suite::Sm))
        .find(|f| f.3.to_bytes()[0] != 0x30)
        .unwrap();
    let b = sig.to_bytes();
    let mut as_der = b[..63].to_vec();
    as_der[0] = 0x30;
    as_der[1] = 0xff;
    assert!(matches!(
        Signature::decode(Suite::Sm, &as_der),
        Err(CryptoError::SignatureDer { .. })
    ));
    assert_eq!(
        Signature::decode(Suite::Sm, &b[..63]),
        Err(CryptoError::SignatureTruncated {
            expected: 64,
            found: 63
        })
    );
    let mut long = b.to_vec();
    long.push(0);
    assert_eq!(
        Signature::decode(Suite::Sm, &long),
        Err(CryptoError::SignatureTrailingBytes { extra: 1 })
    );
    assert_eq!(
        Signature::decode(Suite::Intl, &[]),
        Err(CryptoError::SignatureTruncated {
            expected: 64,
            found: 0
        })
    );

    let der = sig.to_der().unwrap();
    let mut trailing = der.clone();
    trailing.extend([0, 0]);
    assert_eq!(
        Signature::decode(Suite::Sm, &trailing),
        Err(CryptoError::SignatureTrailingBytes { extra: 2 })
    );
    // Truncated DER, a negative integer, a non-minimal integer, a wrong tag.
    let bad: [Vec<u8>; 4] = [
        der[..der.len() - 1].to_vec(),
        vec![0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01],
        vec![0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01],
        vec![0x30, 0x06, 0x04, 0x01, 0x01, 0x02, 0x01, 0x01],
    ];
    for b in bad {
        assert!(
            matches!(
                Signature::decode(Suite::Sm, &b),
                Err(CryptoError::SignatureDer { .. })
            ),
            "{b:02x?} -> {:?}",
            Signature::decode(Suite::Sm, &b)
        );
    }
    // A 33-byte integer that is not a sign-padded 32-byte value is out of range.
    let mut r33 = vec![0x01];
    r33.extend([0u8; 32]);
    let mut body = vec![0x02, 33];
    body.extend(&r33);
    body.extend([0x02, 0x01, 0x01]);
    let mut big = vec![0x30, body.len() as u8];
    big.extend(body);
    assert_eq!(
        Signature::decode(Suite::Sm, &big),
        Err(CryptoError::SignatureROutOfRange)
    );
}

#[test]
fn bad_public_keys() {
    let cases: [(&[u8], &str); 4] = [
        (&[], "empty"),
        (
            &[0x04; 64],
            "SM2 public key must be 65 bytes (04‖X‖Y) or 33 bytes compressed",
        ),
        (&[0x05; 65], "unknown SEC1 point tag"),
        (&[0x04; 65], "point is not on the SM2 curve"),
    ];
    for (bytes, reason) in cases {
        assert_eq!(
            VerifyingKey::from_bytes(Suite::Sm, bytes),
            Err(CryptoError::PublicKey { reason })
        );
    }
    // The point at infinity has no 65-byte encoding; its one-byte SEC1 form is refused.
    assert!(VerifyingKey::from_bytes(Suite::Sm, &[0x00]).is_err());
    // Ed25519: wrong length, and a small-order point (the identity).
    assert!(matches!(
        VerifyingKey::from_bytes(Suite::Intl, &[1; 31]),
        Err(CryptoError::PublicKey { .. })
    ));
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(
        VerifyingKey::from_bytes(Suite::Intl, &identity),
        Err(CryptoError::PublicKey {
            reason: "small-order Ed25519 point"
        })
    );
}

#[test]
fn compressed_public_key_is_accepted_and_normalised() {
    let (_, vk, msg, sig) = fixture(Suite::Sm);
    let full = vk.to_bytes();
    let y_odd = full[64] & 1;
    let mut compressed = vec![0x02 | y_odd];
    compressed.extend(&full[1..33]);
    let again = VerifyingKey::from_bytes(Suite::Sm, &compressed).unwrap();
    assert_eq!(again.to_bytes(), full);
    again.verify(&msg, &sig).unwrap();
}

#[test]
fn bad_private_keys() {
    assert!(matches!(
        SigningKey::from_bytes(Suite::Sm, &[0; 32]),
        Err(CryptoError::PrivateKey { .. })
    ));
    assert!(matches!(
        SigningKey::from_bytes(Suite::Sm, &hex::decode(N).unwrap()),
        Err(CryptoError::PrivateKey { .. })
    ));
    // d = n − 1 makes 1 + d non-invertible (GM/T 0003.2 A6).
    let n_minus_1 =
        hex::decode("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122").unwrap();
    assert_eq!(
        SigningKey::from_bytes(Suite::Sm, &n_minus_1).map(|_| ()),
        Err(CryptoError::PrivateKey {
            reason: "d = n - 1 cannot sign"
        })
    );
    assert!(SigningKey::from_bytes(Suite::Intl, &[0; 31]).is_err());
}
