//! `yinzheng trust import|show`.

use crate::cli::ImportArgs;
use crate::{ClientError, Exit, check};

/// Check a genesis file and trust it from now on.
pub fn import(a: ImportArgs) -> Result<Exit, ClientError> {
    let before = check::genesis_or_trusted(None).ok();
    let (g, dest) = check::trust_import(&a.genesis)?;
    if let Some(old) = before.filter(|old| old.hash().ok() != g.hash().ok()) {
        println!(
            "replacing the trusted chain {:?} (genesis hash {})",
            old.chain_id,
            old.hash().map(|h| h.to_hex()).unwrap_or_default()
        );
    }
    println!(
        "trusted chain {:?} ({} organisations, {} validators) → {}",
        g.chain_id,
        g.organisations.len(),
        g.validators.len(),
        dest.display()
    );
    Ok(Exit::Valid)
}

/// Show the trusted genesis.
pub fn show() -> Result<Exit, ClientError> {
    let g = check::genesis_or_trusted(None)?;
    println!(
        "chain {:?}, suite {}, genesis hash {}",
        g.chain_id,
        g.suite,
        g.hash().map(|h| h.to_hex()).unwrap_or_default()
    );
    for o in &g.organisations {
        println!(
            "  {} {} ({:?}, {})",
            o.credit_code, o.name, o.level, o.division
        );
    }
    Ok(Exit::Valid)
}
