//! Fast vs reference SM2 verification, interleaved so both see the same
//! machine load: 15 rounds of 500 verifications each, medians and their ratio.
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
    let (mut fast, mut reference) = (Vec::new(), Vec::new());
    let only_fast = std::env::args().any(|a| a == "--fast-only");
    for _ in 0..15 {
        let t = Instant::now();
        for (m, s) in msgs.iter().zip(&sigs) {
            vk.verify(m, s)?;
        }
        fast.push(t.elapsed().as_secs_f64() / msgs.len() as f64);
        if only_fast {
            reference.push(1.0);
            continue;
        }
        let t = Instant::now();
        for (m, s) in msgs.iter().zip(&sigs) {
            vk.verify_reference(m, s)?;
        }
        reference.push(t.elapsed().as_secs_f64() / msgs.len() as f64);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (f, r) = (median(&mut fast), median(&mut reference));
    println!("fast      {:7.1} µs/verify  {:7.0}/s", f * 1e6, 1.0 / f);
    println!("reference {:7.1} µs/verify  {:7.0}/s", r * 1e6, 1.0 / r);
    println!("ratio     {:.2}x", r / f);
    Ok(())
}
