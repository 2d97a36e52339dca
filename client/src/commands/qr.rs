//! `yinzheng qr encode|decode`.

use prost::Message as _;
use yinzheng_crypto::Suite;

use crate::cli::{DecodeArgs, EncodeArgs};
use crate::qr::{self, Payload};
use crate::{ClientError, Exit, check};

/// Encode a bundle (made compact) or a reference as a QR code.
pub fn encode(a: EncodeArgs) -> Result<Exit, ClientError> {
    let payload = match (a.bundle, a.record) {
        (Some(p), _) => {
            let suite = check::genesis_or_trusted(a.genesis.as_deref())
                .ok()
                .and_then(|g| g.suite().ok())
                .unwrap_or(Suite::Sm);
            let b = yinzheng_ledger::proto::Bundle::decode(check::read(&p)?.as_slice()).map_err(
                |e| ClientError::QrPayload {
                    reason: format!("not a bundle: {e}"),
                },
            )?;
            let mut compact =
                yinzheng_ledger::make_compact(suite, &b).map_err(|e| ClientError::QrPayload {
                    reason: e.to_string(),
                })?;
            if let Some(path) = &a.openings {
                compact.fields = shown(path, &a.show)?;
            }
            Payload::Bundle(compact.encode_to_vec())
        }
        (None, Some(id)) => Payload::Reference {
            chain_id: a.chain.unwrap_or_default(),
            record_id: super::record_id(&id)?,
            height: a.height.unwrap_or_default(),
            node: a.node.unwrap_or_default(),
        },
        (None, None) => return Err(ClientError::Usage("give --bundle or --record".into())),
    };
    let link = qr::encode_link(&a.url, &payload);
    let code = qr::qr_code(&link)?;
    match a.out {
        Some(p) => {
            qr::write_image(&code, &p)?;
            let version = match code.version() {
                qrcode::Version::Normal(v) => format!("version {v}"),
                qrcode::Version::Micro(v) => format!("micro version {v}"),
            };
            eprintln!(
                "{} ({} characters, {version}, error correction {:?})",
                p.display(),
                link.len(),
                code.error_correction_level()
            );
        }
        None => println!("{}", qr::to_terminal(&code)),
    }
    Ok(Exit::Valid)
}

/// The openings of the fields named in `show`, from an openings file.
fn shown(
    path: &std::path::Path,
    show: &[String],
) -> Result<Vec<yinzheng_ledger::proto::FieldOpening>, ClientError> {
    #[derive(serde::Deserialize)]
    struct Opening {
        index: u32,
        name: String,
        value: String,
        salt: String,
    }
    let all: Vec<Opening> = serde_json::from_slice(&check::read(path)?)
        .map_err(|e| ClientError::Usage(format!("{}: {e}", path.display())))?;
    show.iter()
        .map(|name| {
            let o = all.iter().find(|o| &o.name == name).ok_or_else(|| {
                ClientError::Usage(format!("{}: no field {name}", path.display()))
            })?;
            let salt = yinzheng_ledger::holder::HolderSalt::from_hex(&o.salt)
                .map_err(|e| ClientError::Usage(format!("{}: {e}", path.display())))?;
            Ok(yinzheng_ledger::proto::FieldOpening {
                index: o.index,
                name: o.name.clone(),
                value: o.value.clone(),
                salt: salt.bytes().to_vec(),
            })
        })
        .collect()
}

/// Print the link held by the QR code in an image.
pub fn decode(a: DecodeArgs) -> Result<Exit, ClientError> {
    println!("{}", qr::decode_image(&a.image)?);
    Ok(Exit::Valid)
}
