//! `yinzheng keygen`: a signing key as PKCS#8 and SPKI PEM files.

use std::path::{Path, PathBuf};

use yinzheng_crypto::{SigningKey, Suite};

use crate::cli::KeygenArgs;
use crate::{ClientError, Exit};

/// Generate a key pair and print its public key.
pub fn run(a: KeygenArgs) -> Result<Exit, ClientError> {
    let suite: Suite = a
        .suite
        .parse()
        .map_err(|e: yinzheng_crypto::UnknownSuite| ClientError::Usage(e.to_string()))?;
    let key = SigningKey::generate(suite)?;
    let key_path = with_suffix(&a.prefix, ".key.pem");
    let pub_path = with_suffix(&a.prefix, ".pub.pem");
    let pem: String = match a.password_env {
        Some(var) => {
            let pw = std::env::var(&var).map_err(|_| {
                ClientError::Usage(format!("environment variable {var} is not set"))
            })?;
            key.to_pkcs8_encrypted_pem(pw.as_bytes())?
        }
        None => key.to_pkcs8_pem()?.to_string(),
    };
    write_private(&key_path, pem.as_bytes())?;
    std::fs::write(&pub_path, key.verifying_key().to_spki_pem()?)
        .map_err(|e| ClientError::io(&pub_path, e))?;
    println!("{}\n{}", key_path.display(), pub_path.display());
    println!(
        "public key: {}",
        hex::encode(key.verifying_key().to_bytes())
    );
    if let Some(id) = peer_id(&key) {
        println!("peer id: {id}");
    }
    Ok(Exit::Valid)
}

/// The libp2p peer id of an Ed25519 key (a node's network identity, what
/// the other members list as its peer); none for an SM2 key.
pub fn peer_id(key: &SigningKey) -> Option<String> {
    let SigningKey::Ed25519(k) = key else {
        return None;
    };
    let pk =
        libp2p_identity::ed25519::PublicKey::try_from_bytes(&k.verifying_key().to_bytes()).ok()?;
    Some(
        libp2p_identity::PublicKey::from(pk)
            .to_peer_id()
            .to_string(),
    )
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Write a private key readable by its owner only; never over an existing file.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ClientError> {
    use std::io::Write as _;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| {
        ClientError::io(
            path,
            std::io::Error::new(e.kind(), format!("{e} (will not overwrite a key)")),
        )
    })?;
    f.write_all(bytes).map_err(|e| ClientError::io(path, e))
}
