//! Offline verification as the client does it: a trusted genesis, a bundle, an
//! optional file, and how fresh the status must be.

use std::path::{Path, PathBuf};

use serde::Serialize;
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::{BundleVerifier, TrustedHistory, Verdict, VerdictStatus};

use crate::error::ClientError;
use crate::exit::Exit;

/// Read a file, with the path in the error.
pub fn read(path: &Path) -> Result<Vec<u8>, ClientError> {
    std::fs::read(path).map_err(|e| ClientError::io(path, e))
}

/// Load and check a genesis file.
pub fn load_genesis(path: &Path) -> Result<Genesis, ClientError> {
    let bytes = read(path)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| ClientError::Genesis {
        path: path.display().to_string(),
        reason: "not UTF-8 text".into(),
    })?;
    Genesis::from_json(text).map_err(|e| ClientError::Genesis {
        path: path.display().to_string(),
        reason: e.0,
    })
}

/// A verifier trusting `genesis` (already checked by [`load_genesis`]) and
/// the validator-set history this client learned before under it, if any
/// ([`history_path`]; `docs/spec/bundle.md` §6.1).
pub fn verifier(genesis: &Genesis) -> Result<BundleVerifier, ClientError> {
    let bad = |path: &Path, reason: String| ClientError::Genesis {
        path: path.display().to_string(),
        reason,
    };
    let path = history_path(genesis)?;
    if !path.exists() {
        return BundleVerifier::new(genesis).map_err(|e| bad(&path, e.0));
    }
    let bytes = read(&path)?;
    let text = std::str::from_utf8(&bytes).map_err(|_| bad(&path, "not UTF-8 text".into()))?;
    let history = TrustedHistory::from_json(text, genesis).map_err(|e| {
        bad(
            &path,
            format!("{}; remove the file to start again from genesis", e.0),
        )
    })?;
    BundleVerifier::with_history(genesis, history).map_err(|e| bad(&path, e.0))
}

/// Where the validator-set history learned under a genesis is kept:
/// `trust_dir()/history/<genesis hash>.json`.
pub fn history_path(genesis: &Genesis) -> Result<PathBuf, ClientError> {
    let hash = genesis.hash().map_err(|e| ClientError::Genesis {
        path: "genesis".into(),
        reason: e.0,
    })?;
    Ok(trust_dir()
        .join("history")
        .join(format!("{}.json", hash.to_hex())))
}

/// Keep what `verifier` learned (written whole to a temporary file, then
/// renamed, so a crash never leaves half a history).
pub fn remember(verifier: &BundleVerifier, genesis: &Genesis) -> Result<(), ClientError> {
    let path = history_path(genesis)?;
    let history = verifier.history();
    let fresh = TrustedHistory::from_genesis(genesis).map_err(|e| ClientError::Genesis {
        path: "genesis".into(),
        reason: e.0,
    })?;
    if history == fresh && !path.exists() {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| ClientError::io(dir, e))?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, history.to_json()).map_err(|e| ClientError::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| ClientError::io(&path, e))
}

/// Where `yinzheng trust` keeps the trusted genesis: `$YINZHENG_HOME`, else
/// `$HOME/.config/yinzheng`.
pub fn trust_dir() -> PathBuf {
    if let Some(h) = std::env::var_os("YINZHENG_HOME") {
        return PathBuf::from(h);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".config").join("yinzheng")
}

/// The genesis given, or the trusted one.
pub fn genesis_or_trusted(given: Option<&Path>) -> Result<Genesis, ClientError> {
    match given {
        Some(p) => load_genesis(p),
        None => {
            let p = trust_dir().join("genesis.json");
            if !p.exists() {
                return Err(ClientError::NoTrustedGenesis);
            }
            load_genesis(&p)
        }
    }
}

/// Check a genesis and install it as the trusted one; returns where it went.
pub fn trust_import(path: &Path) -> Result<(Genesis, PathBuf), ClientError> {
    let g = load_genesis(path)?;
    let dir = trust_dir();
    std::fs::create_dir_all(&dir).map_err(|e| ClientError::io(&dir, e))?;
    let dest = dir.join("genesis.json");
    std::fs::write(&dest, g.to_json()).map_err(|e| ClientError::io(&dest, e))?;
    Ok((g, dest))
}

/// A verdict with the client's freshness judgement.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The verifier's verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Age of the status at `now_ms`, in milliseconds.
    pub status_age_ms: Option<u64>,
    /// Whether that age exceeds the allowed maximum.
    pub stale: bool,
    /// The process exit code this report maps to.
    pub exit_code: i32,
}

impl Report {
    /// Judge a verdict's freshness, and its validity window by the local clock:
    /// a certificate proven valid at its status block but expired since is
    /// reported expired.
    pub fn new(mut verdict: Verdict, now_ms: u64, max_age_ms: u64) -> Report {
        verdict.judge_window_at(now_ms);
        let status_age_ms = verdict.status_time_ms.map(|t| now_ms.saturating_sub(t));
        // A checkpoint beyond the trusting period cannot be relied on
        // without a fresher one, like a status too old (bundle.md §6.1).
        let stale = verdict.status == VerdictStatus::Valid
            && (status_age_ms.is_some_and(|a| a > max_age_ms) || verdict.unconfirmed_set);
        let exit_code = Exit::for_verdict(verdict.status, stale).code();
        Report {
            verdict,
            status_age_ms,
            stale,
            exit_code,
        }
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Verify bundle bytes against a genesis.
pub fn verify(
    verifier: &BundleVerifier,
    bundle: &[u8],
    file: Option<&[u8]>,
    now_ms: u64,
    max_age_ms: u64,
) -> Report {
    Report::new(verifier.verify_bytes(bundle, file), now_ms, max_age_ms)
}

/// Parse an age such as `90s`, `15m`, `12h`, `7d` (a bare number is seconds).
pub fn parse_age(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, unit) = match s.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&s[..i], c),
        _ => (s, 's'),
    };
    let n: u64 = num.parse().ok()?;
    let secs = match unit {
        's' => n,
        'm' => n.checked_mul(60)?,
        'h' => n.checked_mul(3600)?,
        'd' => n.checked_mul(86_400)?,
        _ => return None,
    };
    secs.checked_mul(1000)
}
