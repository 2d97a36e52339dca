//! SM2 verification on the three paths, interleaved so all see the same
//! machine load: 15 rounds of 500 verifications each, medians and ratios.
//! *ordinary* is a key's first uses (wNAF over the key's odd multiples),
//! *hot* a key with its fixed-base table, *reference* the `sm2` crate.
//!
//! Run: `cargo run --release -p yinzheng-crypto --example sm2_speed`.

use std::time::Instant;

use yinzheng_crypto::{Signer, SigningKey, Suite, VerifyingKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    yinzheng_crypto::warm_up();
    let sk = SigningKey::generate(Suite::Sm)?;
    let VerifyingKey::Sm2(vk) = sk.verifying_key() else {
        return Err("not SM2".into());
    };
    let distinct: u32 = std::env::var("DISTINCT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let msgs: Vec<Vec<u8>> = (0..500u32)
        .map(|i| (i % distinct).to_be_bytes().repeat(64))
        .collect();
    let sigs = msgs
        .iter()
        .map(|m| sk.sign(m))
        .collect::<Result<Vec<_>, _>>()?;
    let (mut ordinary, mut hot, mut reference) = (Vec::new(), Vec::new(), Vec::new());
    let only_fast = std::env::args().any(|a| a == "--fast-only");
    // A second key value for the hot path, so the ordinary one stays cold.
    let hot_key = VerifyingKey::from_bytes(Suite::Sm, &vk.to_bytes())?;
    let VerifyingKey::Sm2(hot_key) = hot_key else {
        return Err("not SM2".into());
    };
    hot_key.make_hot();
    let per = |t: Instant| t.elapsed().as_secs_f64() / msgs.len() as f64;
    for _ in 0..15 {
        let t = Instant::now();
        for (m, s) in msgs.iter().zip(&sigs) {
            vk.verify_ordinary(m, s)?;
        }
        ordinary.push(per(t));
        let t = Instant::now();
        for (m, s) in msgs.iter().zip(&sigs) {
            hot_key.verify(m, s)?;
        }
        hot.push(per(t));
        if only_fast {
            reference.push(1.0);
            continue;
        }
        let t = Instant::now();
        for (m, s) in msgs.iter().zip(&sigs) {
            vk.verify_reference(m, s)?;
        }
        reference.push(per(t));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (o, h, r) = (
        median(&mut ordinary),
        median(&mut hot),
        median(&mut reference),
    );
    println!("ordinary  {:7.1} µs/verify  {:7.0}/s", o * 1e6, 1.0 / o);
    println!("hot key   {:7.1} µs/verify  {:7.0}/s", h * 1e6, 1.0 / h);
    println!("reference {:7.1} µs/verify  {:7.0}/s", r * 1e6, 1.0 / r);
    println!("ordinary / hot     {:.2}x", o / h);
    println!("reference / hot    {:.2}x", r / h);
    Ok(())
}
