//! `yinzheng submit`: sign a record with a key file and submit it.

use yinzheng_crypto::SigningKey;
use yinzheng_ledger::Record;
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::proto::record_body::Kind;
use yinzheng_ledger::proto::{IssueCertificate, RevokeCertificate, Stamp};

use crate::cli::{KeyArgs, SubmitArgs, SubmitCmd};
use crate::{ClientError, Exit, check, remote};

/// Build (unless given signed), submit, and report the node's answer.
pub fn run(a: SubmitArgs) -> Result<Exit, ClientError> {
    let envelope = match a.what {
        SubmitCmd::Envelope(e) => check::read(&e.file)?,
        other => {
            let genesis = check::genesis_or_trusted(a.genesis.as_deref())?;
            let (key, kind) = kind_for(&genesis, other)?;
            sign(&genesis, &key, kind)?
        }
    };
    let r = remote::submit(&a.node, &envelope, a.wait)?;
    let id = hex::encode(&r.record_id);
    if r.committed {
        println!("committed {id} at height {}", r.height);
    } else {
        println!("admitted {id}");
    }
    Ok(Exit::Valid)
}

/// A signing key from its PEM file (decrypted with the password in an
/// environment variable, when given).
pub fn signing_key(args: &KeyArgs) -> Result<SigningKey, ClientError> {
    let pem = String::from_utf8(check::read(&args.key)?)
        .map_err(|_| ClientError::Usage(format!("{}: not a PEM file", args.key.display())))?;
    let password = args
        .password_env
        .as_deref()
        .map(|v| {
            std::env::var(v).map_err(|_| ClientError::Usage(format!("environment variable {v}")))
        })
        .transpose()?;
    Ok(SigningKey::from_pem(
        &pem,
        password.as_deref().map(str::as_bytes),
    )?)
}

/// Sign a record of `kind` for the chain of `genesis`, now, with `key`; the
/// envelope bytes, checked as a node would before it is sent.
pub fn sign(genesis: &Genesis, key: &SigningKey, kind: Kind) -> Result<Vec<u8>, ClientError> {
    let params = genesis.params().map_err(|e| ClientError::Genesis {
        path: "genesis".into(),
        reason: e.0,
    })?;
    let record = Record::sign(&params, kind, check::now_ms(), &[(key, "")])
        .map_err(|r| ClientError::Usage(format!("record refused before submission: {r}")))?;
    Ok(record.bytes().to_vec())
}

/// The record a `submit` subcommand describes, and the key that signs it.
fn kind_for(genesis: &Genesis, what: SubmitCmd) -> Result<(SigningKey, Kind), ClientError> {
    let suite = genesis.suite().map_err(|e| ClientError::Genesis {
        path: "genesis".into(),
        reason: e.0,
    })?;
    let now = check::now_ms();
    Ok(match what {
        SubmitCmd::Envelope(_) => {
            return Err(ClientError::Usage(
                "an envelope is submitted as it is".into(),
            ));
        }
        SubmitCmd::Issue(i) => {
            let doc = check::read(&i.file)?;
            let holder = format!("{}|{}", i.salt, i.holder);
            let kind = Kind::IssueCertificate(IssueCertificate {
                type_code: i.type_code,
                cert_no: i.cert_no,
                issuer: i.issuer,
                holder_commitment: suite.hash(holder.as_bytes()).0.to_vec(),
                file_digest: suite.hash(&doc).0.to_vec(),
                valid_from_ms: now,
                valid_until_ms: now + i.valid_days * 24 * 3600 * 1000,
                metadata_digest: Vec::new(),
                region: i.region,
            });
            (signing_key(&i.signer)?, kind)
        }
        SubmitCmd::Revoke(r) => (
            signing_key(&r.signer)?,
            Kind::RevokeCertificate(RevokeCertificate {
                type_code: r.type_code,
                cert_no: r.cert_no,
                reason: r.reason,
                issuer: r.issuer,
            }),
        ),
        SubmitCmd::Stamp(s) => {
            let doc = check::read(&s.file)?;
            (
                signing_key(&s.signer)?,
                Kind::Stamp(Stamp {
                    seal_id: s.seal_id,
                    document_digest: suite.hash(&doc).0.to_vec(),
                }),
            )
        }
    })
}
