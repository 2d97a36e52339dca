//! GM/T 0004 (SM3), GM/T 0003.5 (SM2) and RFC 8032 (Ed25519) vectors.

use yinzheng_crypto::{
    Digest, Signature, SigningKey, Sm2NonZeroScalar, Sm2SigningKey, Sm2VerifyingKey, Suite,
    Verifier, VerifyingKey, z_a,
};

use crate::{load_vectors, unhex};

fn message(v: &std::collections::BTreeMap<String, String>) -> Vec<u8> {
    let one = match (v.get("msg_ascii"), v.get("msg_hex")) {
        (Some(a), _) => a.as_bytes().to_vec(),
        (None, Some(h)) => unhex(h),
        (None, None) => panic!("vector without a message"),
    };
    let n: usize = v.get("repeat").map_or(1, |r| r.parse().expect("repeat"));
    one.repeat(n)
}

#[test]
fn sm3_gmt0004_annex_a() {
    for v in load_vectors("sm3_gmt0004.txt") {
        let msg = message(&v);
        assert_eq!(Suite::Sm.hash(&msg).to_hex(), v["digest"]);
        // Incremental hashing, one byte at a time, agrees with one-shot.
        let mut h = Suite::Sm.hasher();
        for b in &msg {
            h.update(std::slice::from_ref(b));
        }
        assert_eq!(h.finalize().to_hex(), v["digest"]);
    }
}

#[test]
fn sha256_fips_180_abc() {
    // FIPS 180-2 Appendix B.1.
    assert_eq!(
        Suite::Intl.hash(b"abc").to_hex(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn sm2_gmt0003_5_annex_a() {
    for v in load_vectors("sm2_gmt0003_5.txt") {
        let id = &v["id_ascii"];
        let msg = message(&v);
        let sk = Sm2SigningKey::from_bytes(&unhex(&v["d"]), id).expect("annex private key");
        let mut pk = vec![0x04];
        pk.extend(unhex(&v["px"]));
        pk.extend(unhex(&v["py"]));
        // The public key derived from d is the annex's.
        assert_eq!(sk.verifying_key().to_bytes().to_vec(), pk);
        // Z_A and e.
        let pk65: [u8; 65] = pk.clone().try_into().expect("65 bytes");
        assert_eq!(
            z_a(id.as_bytes(), &pk65).unwrap().to_hex(),
            v["za"].to_lowercase()
        );
        let vk = Sm2VerifyingKey::from_sec1_with_id(&pk, id).unwrap();
        assert_eq!(vk.z_a().to_hex(), v["za"].to_lowercase());
        let e = vk.message_digest(&msg);
        assert_eq!(e.to_hex(), v["e"].to_lowercase());
        // Signing with the annex's k gives the annex's (r, s).
        let k_bytes: [u8; 32] = unhex(&v["k"]).try_into().unwrap();
        let k = Option::<Sm2NonZeroScalar>::from(Sm2NonZeroScalar::from_repr(k_bytes.into()))
            .expect("k in range");
        let sig = sk.sign_digest_with_k(&e, &k).expect("k is usable");
        let mut rs = unhex(&v["r"]);
        rs.extend(unhex(&v["s"]));
        assert_eq!(sig.to_bytes().to_vec(), rs);
        // And the annex signature verifies, through the suite-generic key too.
        let sig = Signature::from_raw(Suite::Sm, &rs).unwrap();
        vk.verify(&msg, &sig).unwrap();
        let generic = VerifyingKey::from_bytes_with_id(Suite::Sm, &pk, id).unwrap();
        generic.verify(&msg, &sig).unwrap();
        // Under another distinguishing ID it must not.
        let other = VerifyingKey::from_bytes_with_id(Suite::Sm, &pk, "ALICE123@YAHOO.COM").unwrap();
        assert!(other.verify(&msg, &sig).is_err());
        // A freshly randomised signature verifies as well.
        let fresh = SigningKey::Sm2(sk.clone());
        let s2 = yinzheng_crypto::Signer::sign(&fresh, &msg).unwrap();
        vk.verify(&msg, &s2).unwrap();
    }
}

#[test]
fn ed25519_rfc8032_section_7_1() {
    for v in load_vectors("ed25519_rfc8032.txt") {
        let sk = SigningKey::from_bytes(Suite::Intl, &unhex(&v["secret"])).unwrap();
        let vk = sk.verifying_key();
        assert_eq!(vk.to_bytes(), unhex(&v["public"]));
        let msg = message(&v);
        let sig = yinzheng_crypto::Signer::sign(&sk, &msg).unwrap();
        assert_eq!(sig.to_bytes().to_vec(), unhex(&v["sig"]));
        vk.verify(&msg, &sig).unwrap();
    }
}

#[test]
fn digest_hex_round_trip() {
    let d = Suite::Sm.hash(b"x");
    assert_eq!(Digest::from_hex(&d.to_hex()), Some(d));
    assert_eq!(Digest::from_hex(&d.to_hex().to_uppercase()), Some(d));
    assert_eq!(Digest::from_hex("zz"), None);
}
