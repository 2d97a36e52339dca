//! The fast SM2 verification path against the reference (`sm2` crate) path and
//! against OpenSSL: identical accept/reject on valid and corrupted inputs.
//!
//! The quick tests run with the suite; the bulk run (100,000 valid and 100,000
//! corrupted signatures by default, `YZ_DIFF_N` to change, compared with the
//! reference path and with OpenSSL's libcrypto) is `#[ignore]`d and run by
//! `.ci/run` explicitly.

use rayon::prelude::*;
use sm2::elliptic_curve::ff::PrimeField as _;
use yinzheng_crypto::{
    Signature, Signer, SigningKey, Sm2NonZeroScalar, Sm2SigningKey, Sm2VerifyingKey, Suite,
    VerifyingKey,
};

const N_HEX: &str = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn sm2_parts(k: &SigningKey) -> (Sm2SigningKey, Sm2VerifyingKey) {
    match (k, k.verifying_key()) {
        (SigningKey::Sm2(s), VerifyingKey::Sm2(v)) => (s.clone(), v),
        _ => unreachable!("SM2 key"),
    }
}

/// One comparison: both paths must agree. Returns whether it verified.
fn agree(vk: &Sm2VerifyingKey, msg: &[u8], raw: &[u8; 64]) -> bool {
    // Structural checks (r, s in [1, n−1]) are shared; past them, compare paths.
    let Ok(sig) = Signature::from_raw(Suite::Sm, raw) else {
        return false;
    };
    let fast = vk.verify(msg, &sig).is_ok();
    let ordinary = vk.verify_ordinary(msg, &sig).is_ok();
    let reference = vk.verify_reference(msg, &sig).is_ok();
    assert_eq!(
        (fast, ordinary),
        (reference, reference),
        "paths disagree (hot: {}): key {vk:?} msg {msg:02x?} sig {raw:02x?}",
        vk.is_hot()
    );
    fast
}

/// One compared input, kept for the OpenSSL run: key index, message,
/// signature, and our verdict.
type Case = (usize, Vec<u8>, [u8; 64], bool);

/// Valid signatures, then one corruption of each, cycling through the kinds.
/// Returns (valid accepted, corrupted accepted, every well-formed case, keys).
fn differential(count: usize, seed: u64) -> (usize, usize, Vec<Case>, Vec<Sm2VerifyingKey>) {
    let keys: Vec<(Sm2SigningKey, Sm2VerifyingKey)> = (0..64)
        .map(|_| sm2_parts(&SigningKey::generate(Suite::Sm).unwrap()))
        .collect();
    // Half the keys hot from the start (their fixed-base table), the other
    // half turning hot by use part of the way through: `agree` compares the
    // path each key takes with the ordinary one and the reference.
    for (_, vk) in keys.iter().step_by(2) {
        vk.make_hot();
    }
    let results: Vec<(bool, bool, Vec<Case>)> = (0..count)
        .into_par_iter()
        .map(|i| {
            let mut rng = Rng(seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            let (sk, vk) = &keys[i % keys.len()];
            let len = 1 + (rng.next() % 200) as usize;
            let msg = rng.bytes(len);
            let sig = sk.sign(&msg).unwrap().to_bytes();
            let valid = agree(vk, &msg, &sig);
            let mut bad = sig;
            let mut m2 = msg.clone();
            let mut key = vk.clone();
            let mut key_idx = i % keys.len();
            match i % 6 {
                0 => bad[(rng.next() % 32) as usize] ^= 1 << (rng.next() % 8), // r
                1 => bad[32 + (rng.next() % 32) as usize] ^= 1 << (rng.next() % 8), // s
                2 => {
                    let j = (rng.next() as usize) % m2.len();
                    m2[j] ^= 1 << (rng.next() % 8);
                }
                3 => {
                    // Another key.
                    key_idx = (i + 1) % keys.len();
                    key = keys[key_idx].1.clone();
                }
                4 => {
                    bad = {
                        // Random (r, s) in range.
                        let mut b = [0u8; 64];
                        b.copy_from_slice(&rng.bytes(64));
                        b[0] &= 0x7f;
                        b[32] &= 0x7f;
                        b
                    }
                }
                _ => {
                    // r and s exchanged.
                    let (r, s) = bad.split_at_mut(32);
                    r.swap_with_slice(s);
                }
            }
            let corrupted = agree(&key, &m2, &bad);
            let mut cases = vec![(i % keys.len(), msg, sig, valid)];
            if Signature::from_raw(Suite::Sm, &bad).is_ok() {
                cases.push((key_idx, m2, bad, corrupted));
            }
            (valid, corrupted, cases)
        })
        .collect();
    let valid = results.iter().filter(|r| r.0).count();
    let accepted_bad = results.iter().filter(|r| r.1).count();
    let cases = results.into_iter().flat_map(|r| r.2).collect();
    (
        valid,
        accepted_bad,
        cases,
        keys.into_iter().map(|k| k.1).collect(),
    )
}

/// Verify every case with OpenSSL's libcrypto (a small C helper compiled here
/// against `libssl-dev`) and compare with our verdicts.
fn openssl_agrees(cases: &[Case], keys: &[Sm2VerifyingKey]) -> usize {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("osslv");
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/interop/openssl_sm2_verify.c"
    );
    let cc = Command::new("cc")
        .args([src, "-O2", "-o"])
        .arg(&exe)
        .arg("-lcrypto")
        .status()
        .expect("a C compiler (cc) is needed");
    assert!(
        cc.success(),
        "compiling the OpenSSL helper needs libssl-dev"
    );
    let spki: Vec<String> = keys
        .iter()
        .map(|k| hex::encode(VerifyingKey::Sm2(k.clone()).to_spki_der().unwrap()))
        .collect();
    // One helper process per core, each with its share of the cases.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = cases.len().div_ceil(workers).max(1);
    let n: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .chunks(per)
            .map(|chunk| {
                let (exe, spki) = (&exe, &spki);
                scope.spawn(move || openssl_chunk(exe, spki, chunk))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(
        n,
        cases.len(),
        "OpenSSL answered {n} of {} cases",
        cases.len()
    );
    n
}

/// Feed one share of the cases to a helper process and compare its answers.
fn openssl_chunk(exe: &std::path::Path, spki: &[String], cases: &[Case]) -> usize {
    use std::io::{BufRead as _, Write as _};
    use std::process::{Command, Stdio};
    let mut child = Command::new(exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let lines: Vec<String> = cases
        .iter()
        .map(|(k, m, s, _)| {
            let der = Signature::from_raw(Suite::Sm, s).unwrap().to_der().unwrap();
            format!("{} {} {}\n", spki[*k], hex::encode(m), hex::encode(der))
        })
        .collect();
    let writer = std::thread::spawn(move || {
        for l in lines {
            stdin.write_all(l.as_bytes()).unwrap();
        }
    });
    let out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut n = 0;
    for (line, (_, m, s, ours)) in out.lines().zip(cases) {
        let theirs = line.unwrap() == "1";
        assert_eq!(
            theirs, *ours,
            "OpenSSL disagrees on msg {m:02x?} sig {s:02x?}"
        );
        n += 1;
    }
    writer.join().unwrap();
    assert!(child.wait().unwrap().success());
    n
}

#[test]
fn fast_matches_reference_quick() {
    let (valid, bad, _, _) = differential(3_000, 0x5eed);
    assert_eq!(valid, 3_000);
    assert_eq!(bad, 0);
}

#[test]
#[ignore = "bulk differential run (about a minute on 2 cores); .ci/run runs it"]
fn fast_matches_reference_bulk() {
    let n: usize = std::env::var("YZ_DIFF_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let (valid, bad, cases, keys) = differential(n, 0xdecaf);
    println!("{n} valid signatures accepted by both paths: {valid}; {n} corrupted accepted: {bad}");
    assert_eq!(valid, n);
    assert_eq!(bad, 0);
    let checked = openssl_agrees(&cases, &keys);
    println!("OpenSSL libcrypto agrees on all {checked} well-formed cases");
}

fn scalar(hex: &str) -> Sm2NonZeroScalar {
    let b: [u8; 32] = hex::decode(format!("{hex:0>64}"))
        .unwrap()
        .try_into()
        .unwrap();
    Option::<Sm2NonZeroScalar>::from(Sm2NonZeroScalar::from_repr(b.into())).unwrap()
}

#[test]
fn edge_scalars_and_the_point_at_infinity() {
    let (sk, vk) = sm2_parts(&SigningKey::generate(Suite::Sm).unwrap());
    // Each case on the ordinary path, then with the key hot (its fixed-base
    // table: [t]P without doublings, where the identity can also appear).
    for hot in [false, true] {
        if hot {
            vk.make_hot();
        }
        assert_eq!(vk.is_hot(), hot);
        let msg = b"edge cases";
        let n_minus_1 = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122";
        let mut rng = Rng(42);
        for (r, s) in [
            ("1", "1"),
            ("1", n_minus_1),
            (n_minus_1, "1"),
            (n_minus_1, n_minus_1),
        ] {
            let mut raw = [0u8; 64];
            raw[..32].copy_from_slice(&scalar(r).to_repr());
            raw[32..].copy_from_slice(&scalar(s).to_repr());
            assert!(!agree(&vk, msg, &raw));
        }
        // t = r + s = n: refused at B5 by both.
        let r = scalar(&hex::encode(rng.bytes(31)));
        let s = -*r;
        let mut raw = [0u8; 64];
        raw[..32].copy_from_slice(&r.to_repr());
        raw[32..].copy_from_slice(&s.to_repr());
        assert!(!agree(&vk, msg, &raw));
        // [s]G + [t]P = O: with P = dG this is s + (r + s)·d = 0, s = −r·d/(1 + d).
        let d = scalar(&hex::encode(*sk.to_bytes()));
        let one = scalar("1");
        let inv = Option::<sm2::Scalar>::from((*d + *one).invert()).unwrap();
        let s_inf = -(*r * *d * inv);
        let mut raw = [0u8; 64];
        raw[..32].copy_from_slice(&r.to_repr());
        raw[32..].copy_from_slice(&s_inf.to_repr());
        assert!(!agree(&vk, msg, &raw));
    }
    // r, s at or above n are refused when decoded, before either path.
    let mut raw = [0u8; 64];
    raw[..32].copy_from_slice(&hex::decode(N_HEX).unwrap());
    raw[63] = 1;
    assert!(Signature::from_raw(Suite::Sm, &raw).is_err());
    // Points off the curve never become keys.
    let mut pk = vk.to_bytes();
    pk[64] ^= 1;
    assert!(Sm2VerifyingKey::from_sec1(&pk).is_err());
}

#[test]
fn fast_path_agrees_with_openssl_sample() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sk = SigningKey::generate(Suite::Sm).unwrap();
    let vk = sk.verifying_key();
    std::fs::write(d.join("pk.pem"), vk.to_spki_pem().unwrap()).unwrap();
    let mut rng = Rng(7);
    let mut checked = 0;
    for i in 0..120 {
        let msg = rng.bytes(1 + i);
        let mut sig = sk.sign(&msg).unwrap().to_bytes();
        if i % 2 == 1 {
            sig[(rng.next() % 64) as usize] ^= 1 << (rng.next() % 8);
        }
        let Ok(s) = Signature::from_raw(Suite::Sm, &sig) else {
            continue;
        };
        let ours = yinzheng_crypto::Verifier::verify(&vk, &msg, &s).is_ok();
        std::fs::write(d.join("m.bin"), &msg).unwrap();
        std::fs::write(d.join("s.der"), s.to_der().unwrap()).unwrap();
        let status = Command::new("openssl")
            .args([
                "pkeyutl",
                "-verify",
                "-pubin",
                "-inkey",
                "pk.pem",
                "-rawin",
                "-in",
                "m.bin",
                "-sigfile",
                "s.der",
                "-digest",
                "sm3",
                "-pkeyopt",
                "distid:1234567812345678",
            ])
            .current_dir(d)
            .output()
            .expect("openssl must be installed")
            .status;
        assert_eq!(ours, status.success(), "case {i}");
        assert_eq!(ours, i % 2 == 0, "case {i}");
        checked += 1;
    }
    assert!(checked >= 110);
}
