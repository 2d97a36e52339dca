//! Counter batch mode: pair uploaded files with their bundles, verify them in
//! parallel (checkpoints verified once), and write CSV and JSON reports.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use yinzheng_ledger::{BundleVerifier, Step, Verdict, VerifyCode, VerifyError};

use crate::check::{Report, read};
use crate::error::ClientError;

/// One file to check: a bundle and, if found, the document it certifies.
#[derive(Debug, Clone)]
pub struct Pair {
    /// The bundle file.
    pub bundle: PathBuf,
    /// The document (`X` or `X.<ext>` for `X.bundle`).
    pub document: Option<PathBuf>,
}

/// Pair every `*.bundle` in `dir` with its document: for `X.bundle`, the file
/// `X` if it exists, else the first `X.<ext>` in name order.
pub fn pair_files(dir: &Path) -> Result<Vec<Pair>, ClientError> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| ClientError::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    // Documents by file name, sorted: the one for bundle `X.bundle` is `X`,
    // or else the first `X.*` in name order, found by a range query (one
    // pass over the folder, not one per bundle).
    let documents: std::collections::BTreeSet<String> = names
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "bundle"))
        .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
        .collect();
    let mut out = Vec::new();
    for b in names
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "bundle"))
    {
        let stem = b.with_extension("");
        let name = stem
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let document = if documents.contains(&name) {
            Some(stem.clone())
        } else {
            let prefix = format!("{name}.");
            documents
                .range(prefix.clone()..)
                .next()
                .filter(|n| n.starts_with(&prefix))
                .map(|n| dir.join(n))
        };
        out.push(Pair {
            bundle: b.clone(),
            document,
        });
    }
    Ok(out)
}

/// One row of the batch report.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Bundle file name.
    pub bundle: String,
    /// Document file name, empty if none was found.
    pub document: String,
    /// `valid`, `revoked`, … or `invalid`.
    pub status: String,
    /// Process exit code this row alone would give.
    pub exit_code: i32,
    /// Failing step, if invalid.
    pub step: Option<u8>,
    /// Stable reason code, if invalid.
    pub code: String,
    /// Subject id.
    pub subject: String,
    /// Issuer credit code.
    pub issuer: String,
    /// Height the record was anchored at.
    pub anchored_height: Option<u64>,
    /// Height the status is proven at.
    pub status_height: Option<u64>,
    /// Whether the status is stale.
    pub stale: bool,
    /// Human-readable detail.
    pub message: String,
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn row(pair: &Pair, r: &Report) -> Row {
    let v = &r.verdict;
    let status = serde_json::to_value(v.status)
        .ok()
        .and_then(|s| s.as_str().map(str::to_owned))
        .unwrap_or_default();
    Row {
        bundle: file_name(&pair.bundle),
        document: pair.document.as_deref().map(file_name).unwrap_or_default(),
        status,
        exit_code: r.exit_code,
        step: v.error.as_ref().map(|e| e.step.number()),
        code: v
            .error
            .as_ref()
            .map(|e| e.code.to_string())
            .unwrap_or_default(),
        subject: v.subject.as_ref().map(|s| s.id.clone()).unwrap_or_default(),
        issuer: v
            .subject
            .as_ref()
            .map(|s| s.issuer.clone())
            .unwrap_or_default(),
        anchored_height: v.anchored_height,
        status_height: v.status_height,
        stale: r.stale,
        message: v
            .error
            .as_ref()
            .map(|e| e.message.clone())
            .unwrap_or_default(),
    }
}

/// Verify every pair in parallel; `progress` is called once per finished pair.
pub fn verify_pairs(
    verifier: &BundleVerifier,
    pairs: &[Pair],
    now_ms: u64,
    max_age_ms: u64,
    progress: &(dyn Fn() + Sync),
) -> Vec<Row> {
    pairs
        .par_iter()
        .map(|p| {
            let r = match (read(&p.bundle), p.document.as_deref().map(read).transpose()) {
                (Ok(b), Ok(doc)) => {
                    crate::check::verify(verifier, &b, doc.as_deref(), now_ms, max_age_ms)
                }
                (Err(e), _) | (_, Err(e)) => Report::new(
                    Verdict::invalid(VerifyError::new(
                        Step::Decode,
                        VerifyCode::Malformed,
                        e.to_string(),
                    )),
                    now_ms,
                    max_age_ms,
                ),
            };
            progress();
            row(p, &r)
        })
        .collect()
}

/// Counts per status, for the summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Rows in all.
    pub total: usize,
    /// Valid and fresh.
    pub valid: usize,
    /// Valid but stale.
    pub stale: usize,
    /// Revoked, superseded, expired or not yet valid.
    pub not_in_force: usize,
    /// Invalid.
    pub invalid: usize,
    /// Bundles with no document found next to them.
    pub without_document: usize,
}

/// Summarise rows.
pub fn summarise(rows: &[Row]) -> Summary {
    let mut s = Summary {
        total: rows.len(),
        ..Default::default()
    };
    for r in rows {
        match r.exit_code {
            0 => s.valid += 1,
            3 => s.stale += 1,
            2 => s.not_in_force += 1,
            _ => s.invalid += 1,
        }
        if r.document.is_empty() {
            s.without_document += 1;
        }
    }
    s
}

/// Write the CSV report.
pub fn write_csv(rows: &[Row], path: &Path) -> Result<(), ClientError> {
    let io = |e: csv::Error| ClientError::io(path, std::io::Error::other(e));
    let mut w = csv::Writer::from_path(path).map_err(io)?;
    for r in rows {
        w.serialize(r).map_err(io)?;
    }
    w.flush().map_err(|e| ClientError::io(path, e))
}

/// Write the JSON report: `{ "summary": …, "rows": [...] }`.
pub fn write_json(rows: &[Row], path: &Path) -> Result<(), ClientError> {
    let doc = serde_json::json!({ "summary": summarise(rows), "rows": rows });
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    std::fs::write(path, text).map_err(|e| ClientError::io(path, e))
}
