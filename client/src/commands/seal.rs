//! `yinzheng seal …` and `yinzheng verify DOC.ofd`: national-format seals
//! and sealed OFD documents (`docs/spec/seals.md`).

use std::path::{Path, PathBuf};

use yinzheng_crypto::{SigningKey, Sm2SigningKey};
use yinzheng_seal::{CertSpec, SealRequest, SealSpec, issue_cert, make_seal, ofd, seal_ofd};

use crate::cli::{SealCertArgs, SealCmd, SealDocArgs, SealMakeArgs, SealSignArgs};
use crate::{ClientError, Exit, check};

/// Run a `seal` subcommand.
pub fn run(cmd: SealCmd) -> Result<Exit, ClientError> {
    match cmd {
        SealCmd::Cert(a) => cert(a),
        SealCmd::Make(a) => make(a),
        SealCmd::Sign(a) => sign(a),
        SealCmd::Doc(a) => doc(a),
    }
}

/// Whether bytes are a ZIP package (an OFD document).
pub fn is_ofd(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

pub(super) fn now() -> i64 {
    i64::try_from(check::now_ms() / 1000).unwrap_or(i64::MAX)
}

pub(super) fn sm2_key(path: &Path) -> Result<Sm2SigningKey, ClientError> {
    let pem = String::from_utf8(check::read(path)?)
        .map_err(|_| ClientError::Usage(format!("{}: not a PEM file", path.display())))?;
    match SigningKey::from_pem(&pem, None)? {
        SigningKey::Sm2(k) => Ok(k),
        _ => Err(ClientError::Usage(format!(
            "{}: seals need an SM2 key",
            path.display()
        ))),
    }
}

/// A certificate file, DER or PEM.
pub(super) fn cert_file(path: &Path) -> Result<Vec<u8>, ClientError> {
    let bytes = check::read(path)?;
    let der = if bytes.starts_with(b"-----BEGIN") {
        let text = String::from_utf8_lossy(&bytes);
        let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .map_err(|_| ClientError::Usage(format!("{}: not a PEM certificate", path.display())))?
    } else {
        bytes
    };
    yinzheng_seal::CertInfo::parse(&der)
        .map_err(|e| ClientError::Usage(format!("{}: {e}", path.display())))?;
    Ok(der)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), ClientError> {
    std::fs::write(path, bytes).map_err(|e| ClientError::io(path, e))?;
    println!("{}", path.display());
    Ok(())
}

fn cert(a: SealCertArgs) -> Result<Exit, ClientError> {
    let key = sm2_key(&a.key)?;
    let t = now();
    let spec = CertSpec {
        subject: &a.subject,
        serial: a.serial.unwrap_or(check::now_ms()),
        not_before: t - 60,
        not_after: t + i64::from(a.days) * 86_400,
        ca: a.ca,
    };
    let pk = key.verifying_key().to_bytes();
    let der = match (&a.issuer_key, &a.issuer_cert) {
        (Some(k), Some(c)) => issue_cert(&spec, &pk, &sm2_key(k)?, Some(&cert_file(c)?)),
        _ => issue_cert(&spec, &pk, &key, None),
    }
    .map_err(|e| ClientError::Usage(e.to_string()))?;
    write(&a.out, &der)?;
    Ok(Exit::Valid)
}

fn make(a: SealMakeArgs) -> Result<Exit, ClientError> {
    let key = sm2_key(&a.maker_key)?;
    let maker_cert = cert_file(&a.maker_cert)?;
    let picture = check::read(&a.picture)?;
    if !picture.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(ClientError::Usage(format!(
            "{}: the picture must be a PNG",
            a.picture.display()
        )));
    }
    let (w, h) = a
        .size_mm
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .ok_or_else(|| ClientError::Usage("--size-mm is WIDTHxHEIGHT, e.g. 40x40".into()))?;
    let signer_certs = a
        .signer_certs
        .iter()
        .map(|p| cert_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    let t = now();
    let spec = SealSpec {
        es_id: &a.es_id,
        name: &a.name,
        seal_type: a.seal_type,
        vid: &a.vid,
        created: t,
        valid_start: t,
        valid_end: t + i64::from(a.days) * 86_400,
        picture_type: "PNG",
        picture: &picture,
        size_mm: (w, h),
        signer_certs: signer_certs.iter().map(Vec::as_slice).collect(),
    };
    let seal = make_seal(&spec, &key, &maker_cert)?;
    write(&a.out, &seal)?;
    Ok(Exit::Valid)
}

fn sign(a: SealSignArgs) -> Result<Exit, ClientError> {
    let doc = check::read(&a.document)?;
    let seal = check::read(&a.seal)?;
    let key = sm2_key(&a.key)?;
    let cert = cert_file(&a.cert)?;
    let req = SealRequest {
        seal: &seal,
        key: &key,
        cert: &cert,
        time: now(),
        boundary: placement(&a.at, &seal, &a.seal)?,
    };
    let sealed = seal_ofd(&doc, &req)
        .map_err(|e| ClientError::Usage(format!("{}: {e}", a.document.display())))?;
    let out = a.out.unwrap_or_else(|| sealed_name(&a.document));
    write(&out, &sealed)?;
    Ok(Exit::Valid)
}

/// Where a stamp goes: `--at X,Y` in millimetres, sized as the seal's picture.
pub(super) fn placement(
    at: &str,
    seal: &[u8],
    seal_path: &Path,
) -> Result<(u32, u32, u32, u32), ClientError> {
    let (x, y) = at
        .split_once(',')
        .and_then(|(x, y)| Some((x.trim().parse().ok()?, y.trim().parse().ok()?)))
        .ok_or_else(|| ClientError::Usage("--at is X,Y in millimetres, e.g. 120,200".into()))?;
    let (w, h) = yinzheng_seal::Seal::parse(seal)
        .map(|s| {
            (
                u32::try_from(s.picture.width_mm).unwrap_or(40),
                u32::try_from(s.picture.height_mm).unwrap_or(40),
            )
        })
        .map_err(|e| ClientError::Usage(format!("{}: {e}", seal_path.display())))?;
    Ok((x, y, w, h))
}

fn sealed_name(p: &Path) -> PathBuf {
    let stem = p
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    p.with_file_name(format!("{stem}.sealed.ofd"))
}

fn doc(a: SealDocArgs) -> Result<Exit, ClientError> {
    let lines: Vec<&str> = a.lines.iter().map(String::as_str).collect();
    let bytes =
        ofd::text_document(&a.title, &lines).map_err(|e| ClientError::Usage(e.to_string()))?;
    write(&a.out, &bytes)?;
    Ok(Exit::Valid)
}
