//! `yinzheng fetch`: a bundle from a node, verified before it is saved.

use crate::cli::FetchArgs;
use crate::render::{self, Lang};
use crate::{ClientError, Exit, check, remote};

/// Fetch, verify, save, and print the verdict.
pub fn run(a: FetchArgs) -> Result<Exit, ClientError> {
    let genesis = check::genesis_or_trusted(a.genesis.as_deref())?;
    let subject = match (a.record, a.cert, a.seal) {
        (Some(r), _, _) => remote::Subject::Record(super::record_id(&r)?),
        (None, Some(c), _) => {
            let mut parts = c.splitn(3, '/');
            let (Some(i), Some(t), Some(n)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(ClientError::Usage(
                    "--cert is ISSUER/TYPE_CODE/NUMBER".into(),
                ));
            };
            remote::Subject::Certificate {
                issuer: i.into(),
                type_code: t.into(),
                cert_no: n.into(),
            }
        }
        (None, None, Some(s)) => remote::Subject::Seal(s),
        (None, None, None) => match a.stamping {
            Some(h) => remote::Subject::Stamping(super::record_id(&h)?),
            None => {
                return Err(ClientError::Usage(
                    "give --record, --cert, --seal or --stamping".into(),
                ));
            }
        },
    };
    let verifier = check::verifier(&genesis)?;
    let (bytes, _) = remote::fetch_verified(&a.node, &subject, a.compact, &verifier)?;
    let report = check::verify(&verifier, &bytes, None, check::now_ms(), u64::MAX);
    check::remember(&verifier, &genesis)?;
    std::fs::write(&a.out, &bytes).map_err(|e| ClientError::io(&a.out, e))?;
    eprintln!(
        "verified and saved {} ({} bytes)",
        a.out.display(),
        bytes.len()
    );
    print!("{}", render::render(&report, &genesis, Lang::from_env()));
    Ok(Exit::for_verdict(report.verdict.status, report.stale))
}
