//! `yinzheng verify-batch`: a counter's uploads, with CSV and JSON reports.

use crate::cli::VerifyBatchArgs;
use crate::{ClientError, Exit, batch, check};

/// Verify every bundle of a directory against its document.
pub fn run(a: VerifyBatchArgs) -> Result<Exit, ClientError> {
    let age = super::max_age(&a.max_age)?;
    let genesis = check::genesis_or_trusted(a.genesis.as_deref())?;
    let verifier = check::verifier(&genesis)?;
    let pairs = batch::pair_files(&a.dir)?;
    if pairs.is_empty() {
        return Err(ClientError::io(
            &a.dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no .bundle files to verify"),
        ));
    }
    let bar = if a.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(pairs.len() as u64)
    };
    let rows = batch::verify_pairs(&verifier, &pairs, check::now_ms(), age, &|| bar.inc(1));
    check::remember(&verifier, &genesis)?;
    bar.finish_and_clear();
    let csv = a.csv.unwrap_or_else(|| a.dir.join("report.csv"));
    let json_path = a.json_report.unwrap_or_else(|| a.dir.join("report.json"));
    batch::write_csv(&rows, &csv)?;
    batch::write_json(&rows, &json_path)?;
    let s = batch::summarise(&rows);
    println!(
        "{} bundles: {} valid, {} stale, {} revoked/superseded/expired, {} invalid, {} without a document",
        s.total, s.valid, s.stale, s.not_in_force, s.invalid, s.without_document
    );
    println!("reports: {} {}", csv.display(), json_path.display());
    Ok(if s.invalid > 0 {
        Exit::Invalid
    } else if s.not_in_force > 0 {
        Exit::NotInForce
    } else if s.stale > 0 {
        Exit::Stale
    } else {
        Exit::Valid
    })
}
