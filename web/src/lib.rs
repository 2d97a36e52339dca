//! The citizen's verify page, verifier side: `yinzheng_ledger::BundleVerifier`
//! compiled to WebAssembly. The page passes the genesis it was built with, the
//! link's fragment and the phone's clock; everything runs in the browser.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use wasm_bindgen::prelude::wasm_bindgen;
use yinzheng_ledger::digits;
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::{BundleVerifier, TrustedHistory};

/// Verify the bundle in a link fragment (`d=<digits>` or `b=<base64url>`,
/// `docs/spec/qr.md`)
/// against a genesis (JSON text) at `now_ms`. Returns a JSON object: the
/// verdict's fields, plus `issuer_name` (from genesis), and on failure to
/// even start, `{"status":"unknown","message":…}`.
#[wasm_bindgen]
pub fn verify_fragment(genesis_json: &str, fragment: &str, now_ms: f64) -> String {
    verify_fragment_remembering(genesis_json, "", fragment, now_ms)
}

/// As [`verify_fragment`], with the validator-set history the page kept
/// from earlier verifications (`docs/spec/bundle.md` §6.1; empty: none). The
/// answer carries `history`, the history to keep now (JSON text), and
/// `history_reset: true` when the one given was damaged or belonged to
/// another genesis and was replaced by the genesis alone.
#[wasm_bindgen]
pub fn verify_fragment_remembering(
    genesis_json: &str,
    history_json: &str,
    fragment: &str,
    now_ms: f64,
) -> String {
    match run(genesis_json, history_json, fragment, now_ms) {
        Ok(v) => v.to_string(),
        Err(message) => serde_json::json!({ "status": "unknown", "message": message }).to_string(),
    }
}

/// As [`verify_fragment_remembering`], for a bundle's bytes (a fresh status
/// proof fetched from a node's `/v1/bundle/…`, `docs/spec/node-api.md`).
#[wasm_bindgen]
pub fn verify_bundle_remembering(
    genesis_json: &str,
    history_json: &str,
    bundle: &[u8],
    now_ms: f64,
) -> String {
    match run_bytes(genesis_json, history_json, bundle, now_ms) {
        Ok(v) => v.to_string(),
        Err(message) => serde_json::json!({ "status": "unknown", "message": message }).to_string(),
    }
}

fn run(
    genesis_json: &str,
    history_json: &str,
    fragment: &str,
    now_ms: f64,
) -> Result<serde_json::Value, String> {
    let frag = fragment.trim_start_matches('#');
    if frag.starts_with("r=") {
        return Err("reference links need a node to fetch the bundle; not available yet".into());
    }
    // The bundle is the `d=` (digits) or `b=` (base64url) parameter; others
    // (`n=`, a node) are the page's.
    let bytes = frag
        .split('&')
        .find_map(|p| {
            if let Some(d) = p.strip_prefix("d=") {
                Some(digits::decode(d).map_err(|e| format!("the link is damaged ({e})")))
            } else {
                p.strip_prefix("b=").map(|b| {
                    B64.decode(b)
                        .map_err(|_| "the link is damaged (not base64url)".to_owned())
                })
            }
        })
        .ok_or("no bundle in this link")??;
    run_bytes(genesis_json, history_json, &bytes, now_ms)
}

fn run_bytes(
    genesis_json: &str,
    history_json: &str,
    bytes: &[u8],
    now_ms: f64,
) -> Result<serde_json::Value, String> {
    let genesis = Genesis::from_json(genesis_json).map_err(|e| e.0)?;
    let kept = (!history_json.is_empty())
        .then(|| TrustedHistory::from_json(history_json, &genesis).ok())
        .flatten();
    let history_reset = !history_json.is_empty() && kept.is_none();
    let verifier = match kept {
        Some(h) => BundleVerifier::with_history(&genesis, h),
        None => BundleVerifier::new(&genesis),
    }
    .map_err(|e| e.0)?;
    let mut verdict = verifier.verify_bytes(bytes, None);
    // Judge the validity window by the phone's clock too, as the CLI does.
    // JavaScript's Date.now() is an integral f64 well below 2^53.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let now = if now_ms.is_finite() && now_ms > 0.0 {
        now_ms as u64
    } else {
        0
    };
    verdict.judge_window_at(now);
    let issuer = verdict
        .subject
        .as_ref()
        .map(|s| s.issuer.clone())
        .unwrap_or_default();
    let issuer_name = genesis
        .organisations
        .iter()
        .find(|o| o.credit_code == issuer)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    let mut json: serde_json::Value =
        serde_json::from_str(&verdict.to_json()).map_err(|e| e.to_string())?;
    json["issuer_name"] = issuer_name.into();
    json["chain_id"] = genesis.chain_id.clone().into();
    json["history"] = verifier.history().to_json().into();
    json["history_reset"] = history_reset.into();
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectors(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../tests/vectors/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn fragments_give_verdicts() {
        let g = String::from_utf8(vectors("genesis.json")).unwrap();
        let now = 1_763_900_000_000.0;
        let ok = verify_fragment(
            &g,
            &format!("#b={}", B64.encode(vectors("valid-compact.bundle"))),
            now,
        );
        assert!(ok.contains("\"status\":\"valid\""), "{ok}");
        assert!(ok.contains("深圳市市场监督管理局"), "{ok}");
        let revoked = verify_fragment(
            &g,
            &format!("b={}", B64.encode(vectors("revoked-full.bundle"))),
            now,
        );
        assert!(revoked.contains("\"status\":\"revoked\""), "{revoked}");
        let forged = verify_fragment(
            &g,
            &format!("b={}", B64.encode(vectors("invalid-step3-record.bundle"))),
            now,
        );
        assert!(forged.contains("\"status\":\"invalid\""), "{forged}");
        let digits = verify_fragment(
            &g,
            &format!(
                "#d={}&n=http%3A%2F%2F127.0.0.1%3A8080",
                digits::encode(&vectors("revoked-compact.bundle"))
            ),
            now,
        );
        // A compact bundle's status is as of issuance: valid then.
        assert!(digits.contains("\"status\":\"valid\""), "{digits}");
        assert!(digits.contains("NO-2"), "{digits}");
        assert!(verify_fragment(&g, "d=1234", now).contains("damaged"));
        assert!(verify_fragment(&g, "d=256", now).contains("damaged"));
        assert!(verify_fragment(&g, "b=!!!", now).contains("unknown"));
        assert!(verify_fragment(&g, "", now).contains("unknown"));
        assert!(verify_fragment("{}", "b=AA", now).contains("unknown"));
    }

    #[test]
    fn the_page_remembers_validator_sets() {
        let g = String::from_utf8(vectors("genesis.json")).unwrap();
        let now = 1_763_900_000_000.0;
        let link = |n: &str| format!("b={}", B64.encode(vectors(n)));
        let naive: serde_json::Value =
            serde_json::from_str(&verify_fragment(&g, &link("retired-forged.bundle"), now))
                .unwrap();
        assert_eq!(naive["status"], "valid");
        let rotated: serde_json::Value = serde_json::from_str(&verify_fragment_remembering(
            &g,
            "",
            &link("rotated-full.bundle"),
            now,
        ))
        .unwrap();
        assert_eq!(rotated["status"], "valid");
        let kept = rotated["history"].as_str().unwrap();
        let forged: serde_json::Value = serde_json::from_str(&verify_fragment_remembering(
            &g,
            kept,
            &link("retired-forged.bundle"),
            now,
        ))
        .unwrap();
        assert_eq!(forged["status"], "invalid");
        assert_eq!(forged["error"]["code"], "SUPERSEDED_SET");
        let damaged: serde_json::Value = serde_json::from_str(&verify_fragment_remembering(
            &g,
            "{oops",
            &link("valid-full.bundle"),
            now,
        ))
        .unwrap();
        assert_eq!(damaged["history_reset"], true);
        assert_eq!(damaged["status"], "valid");
    }
}
