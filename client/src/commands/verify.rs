//! `yinzheng verify`: one bundle, from a file, a QR image or a link.

use crate::cli::{LangArg, VerifyArgs};
use crate::qr::{self, Payload};
use crate::render::{self, Lang};
use crate::{ClientError, Exit, check, remote};

/// Verify one bundle and print the verdict.
pub fn run(a: VerifyArgs) -> Result<Exit, ClientError> {
    let age = super::max_age(&a.max_age)?;
    if let Some(p) = &a.bundle {
        let bytes = check::read(p)?;
        if super::seal::is_ofd(&bytes) {
            return super::seal_verify::verify(p, &bytes, &a);
        }
    }
    let genesis = check::genesis_or_trusted(a.genesis.as_deref())?;
    let bytes = match (a.bundle, a.qr, a.link) {
        (Some(p), _, _) => check::read(&p)?,
        (None, Some(img), _) => bundle_from_link(&qr::decode_image(&img)?)?,
        (None, None, Some(l)) => bundle_from_link(&l)?,
        (None, None, None) => {
            return Err(ClientError::Usage(
                "give a bundle file, --qr IMAGE or --link".into(),
            ));
        }
    };
    let doc = a.file.as_deref().map(check::read).transpose()?;
    let verifier = check::verifier(&genesis)?;
    let report = check::verify(&verifier, &bytes, doc.as_deref(), check::now_ms(), age);
    check::remember(&verifier, &genesis)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let lang = match a.lang {
            Some(LangArg::En) => Lang::En,
            Some(LangArg::Zh) => Lang::Zh,
            None => Lang::from_env(),
        };
        print!("{}", render::render(&report, &genesis, lang));
    }
    Ok(Exit::for_verdict(report.verdict.status, report.stale))
}

/// The bundle a link carries, or, for a reference, the bundle fetched from
/// the node it names (verified afterwards like any other).
fn bundle_from_link(link: &str) -> Result<Vec<u8>, ClientError> {
    match qr::parse_link(link)? {
        Payload::Bundle(b) => Ok(b),
        Payload::Reference {
            node, record_id, ..
        } => remote::fetch(&node, &remote::Subject::Record(record_id), false),
    }
}
