//! Key files: PKCS#8 PEM that OpenSSL reads, written with mode 0600 and
//! never over an existing file.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use yinzheng_crypto::SigningKey;

use crate::Error;

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Write a private key as unencrypted PKCS#8 PEM, readable by its owner only.
pub fn write_key(path: &Path, key: &SigningKey) -> Result<(), Error> {
    let pem = key.to_pkcs8_pem().map_err(|e| Error::Key {
        what: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| io(path, e))?;
    f.write_all(pem.as_bytes()).map_err(|e| io(path, e))
}

/// Read a private key file (PKCS#8 or SEC1 PEM, unencrypted).
pub fn read_key(path: &Path) -> Result<SigningKey, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    SigningKey::from_pem(&text, None).map_err(|e| Error::Key {
        what: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// Write a text file (not secret), refusing to overwrite.
pub fn write_new(path: &Path, text: &str) -> Result<(), Error> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| io(path, e))?;
    f.write_all(text.as_bytes()).map_err(|e| io(path, e))
}

/// Create a directory and its parents.
pub fn mkdir(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(|e| io(path, e))
}
