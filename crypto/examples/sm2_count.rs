//! Verify N signatures on one path, for instruction counting under
//! `valgrind --tool=callgrind` (deterministic, unlike wall time on a shared
//! machine): `sm2_count ordinary|hot|reference|none N`. Subtract a run with
//! N = 0 (and, for `hot`, one with `hot 0`: it includes building the table).

use yinzheng_crypto::{Signer, SigningKey, Suite, VerifyingKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("ordinary", String::as_str);
    let n: u32 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100);
    yinzheng_crypto::warm_up();
    let sk = SigningKey::from_bytes(Suite::Sm, &[7u8; 32])?;
    let VerifyingKey::Sm2(vk) = sk.verifying_key() else {
        return Err("not SM2".into());
    };
    let msgs: Vec<Vec<u8>> = (0..n).map(|i| i.to_be_bytes().repeat(64)).collect();
    let sigs = msgs
        .iter()
        .map(|m| sk.sign(m))
        .collect::<Result<Vec<_>, _>>()?;
    // Build the per-key tables outside the counted verifications.
    if let Some((m, s)) = msgs.first().zip(sigs.first()) {
        vk.verify_ordinary(m, s)?;
    }
    if mode == "hot" {
        vk.make_hot();
    }
    for (m, s) in msgs.iter().zip(&sigs).filter(|_| mode != "none") {
        match mode {
            "hot" => vk.verify(m, s)?,
            "reference" => vk.verify_reference(m, s)?,
            _ => vk.verify_ordinary(m, s)?,
        }
    }
    Ok(())
}
