//! `yinzheng submit`, `record` and `countersign`: sign records with key
//! files; submit them, or write them for more signers.

use std::path::Path;

use yinzheng_crypto::SigningKey;
use yinzheng_ledger::Record;
use yinzheng_ledger::genesis::Genesis;
use yinzheng_ledger::proto::record_body::Kind;

use super::kinds;
use crate::cli::{CountersignArgs, KeyArgs, RecordArgs, SubmitArgs, SubmitCmd};
use crate::{ClientError, Exit, check, remote};

/// Build (unless given signed), submit, and report the node's answer.
pub fn run(a: SubmitArgs) -> Result<Exit, ClientError> {
    let envelope = match a.what {
        SubmitCmd::Envelope(e) => check::read(&e.file)?,
        other => build(a.genesis.as_deref(), other)?,
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

/// Build and sign a record into a file.
pub fn record(a: RecordArgs) -> Result<Exit, ClientError> {
    let envelope = build(a.genesis.as_deref(), a.what)?;
    write(&a.out, &envelope)?;
    println!(
        "{} ({} bytes, 1 signature)",
        a.out.display(),
        envelope.len()
    );
    Ok(Exit::Valid)
}

/// Add a signature to a record file.
pub fn countersign(a: CountersignArgs) -> Result<Exit, ClientError> {
    let genesis = check::genesis_or_trusted(a.genesis.as_deref())?;
    let params = params(&genesis)?;
    let envelope = check::read(&a.file)?;
    let key = signing_key(&a.signer)?;
    let record = Record::countersign(&params, &envelope, &key, "")
        .map_err(|r| ClientError::Usage(format!("{}: {r}", a.file.display())))?;
    let out = a.out.as_deref().unwrap_or(&a.file);
    write(out, record.bytes())?;
    println!(
        "{} ({} signatures, record {})",
        out.display(),
        record.signers().len(),
        record.id()
    );
    Ok(Exit::Valid)
}

fn build(genesis: Option<&Path>, what: SubmitCmd) -> Result<Vec<u8>, ClientError> {
    let genesis = check::genesis_or_trusted(genesis)?;
    let suite = params(&genesis)?.suite;
    let (signer, kind) = kinds::describe(suite, what, check::now_ms())?;
    sign(&genesis, &signing_key(&signer)?, kind)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ClientError> {
    std::fs::write(path, bytes).map_err(|e| ClientError::io(path, e))
}

fn params(genesis: &Genesis) -> Result<yinzheng_ledger::ChainParams, ClientError> {
    genesis.params().map_err(|e| ClientError::Genesis {
        path: "genesis".into(),
        reason: e.0,
    })
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
    let record = Record::sign(&params(genesis)?, kind, check::now_ms(), &[(key, "")])
        .map_err(|r| ClientError::Usage(format!("record refused before submission: {r}")))?;
    Ok(record.bytes().to_vec())
}
