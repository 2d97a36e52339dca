//! Interoperability with a third implementation: the `gmssl` Python package
//! (pure-Python SM2/SM3). `.ci/run` installs it; these tests fail, never skip,
//! when it is missing.

use std::process::Command;

use yinzheng_crypto::{Signature, Signer, SigningKey, Suite, Verifier, VerifyingKey};

fn py(args: &[&str]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/gmssl_py.py");
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 must be installed");
    assert!(
        out.status.success(),
        "gmssl_py.py failed (is `pip install gmssl==3.2.2` done?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// An SM2 key whose public X does not start with byte 0x04: the package strips
/// a leading "04" hex pair from X‖Y with `lstrip`, mangling such keys (its bug,
/// and an example of why interop needs testing).
fn key() -> SigningKey {
    loop {
        let k = SigningKey::generate(Suite::Sm).unwrap();
        if k.verifying_key().to_bytes()[1] != 0x04 {
            return k;
        }
    }
}

#[test]
fn both_directions_with_the_gmssl_python_package() {
    for i in 0..6u8 {
        let sk = key();
        let SigningKey::Sm2(sm2) = &sk else {
            unreachable!()
        };
        let priv_hex = hex::encode(*sm2.to_bytes());
        let pub_hex = hex::encode(&sk.verifying_key().to_bytes()[1..]);
        let msg = vec![i.wrapping_mul(37); 10 + usize::from(i) * 13];
        let msg_hex = hex::encode(&msg);
        // Ours → theirs.
        let sig = sk.sign(&msg).unwrap();
        assert_eq!(
            py(&["verify", &pub_hex, &msg_hex, &hex::encode(sig.as_bytes())]),
            "true"
        );
        let mut bad = sig.to_bytes();
        bad[40] ^= 1;
        assert_eq!(
            py(&["verify", &pub_hex, &msg_hex, &hex::encode(bad)]),
            "false"
        );
        // Theirs → ours.
        let theirs = hex::decode(py(&["sign", &priv_hex, &pub_hex, &msg_hex])).unwrap();
        let (sig, _) = Signature::decode(Suite::Sm, &theirs).unwrap();
        sk.verifying_key().verify(&msg, &sig).unwrap();
        let other = VerifyingKey::from_bytes(Suite::Sm, &key().verifying_key().to_bytes()).unwrap();
        assert!(other.verify(&msg, &sig).is_err());
    }
}
