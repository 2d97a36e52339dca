//! The client's error type.

/// Why a client operation could not produce a verdict.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The genesis file is not a valid genesis.
    #[error("genesis {path}: {reason}")]
    Genesis {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A document that cannot be verified at all (not an OFD package,
    /// damaged, over the limits).
    #[error("{path}: {reason}")]
    Document {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// No genesis was given and none is trusted yet.
    #[error("no trusted genesis: pass --genesis FILE or run `yinzheng trust import FILE`")]
    NoTrustedGenesis,
    /// An image holds no readable QR code.
    #[error("no QR code could be read in {path}")]
    NoQrCode {
        /// The image.
        path: String,
    },
    /// A QR code or link that is not a Yinzheng payload.
    #[error("not a Yinzheng QR payload: {reason}")]
    QrPayload {
        /// Why.
        reason: String,
    },
    /// The payload does not fit in a QR code a phone can scan.
    #[error("a link of {len} characters does not fit in a QR code of version 30 or less")]
    QrTooLarge {
        /// Payload length.
        len: usize,
    },
    /// A node answered with an error (its reason code and message).
    #[error("{node}: {message}")]
    Node {
        /// The node.
        node: String,
        /// `CODE: explanation`.
        message: String,
    },
    /// The node has no such record, certificate or seal.
    #[error("{node}: {message}")]
    NotFound {
        /// The node.
        node: String,
        /// `NOT_FOUND: explanation`.
        message: String,
    },
    /// Arguments that cannot be used (a bad value, a missing choice).
    #[error("{0}")]
    Usage(String),
    /// A report could not be written as JSON.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// Something that needs a node, and none could be reached.
    #[error("{0}")]
    Unavailable(String),
    /// A key could not be generated or written.
    #[error(transparent)]
    Crypto(#[from] yinzheng_crypto::CryptoError),
}

impl ClientError {
    /// The exit code this failure ends the command with.
    pub fn exit(&self) -> crate::Exit {
        use crate::Exit;
        match self {
            ClientError::Usage(_) | ClientError::NoTrustedGenesis => Exit::Usage,
            ClientError::Unavailable(_) => Exit::Unavailable,
            ClientError::Node { .. } => Exit::Invalid,
            ClientError::Io { .. }
            | ClientError::Genesis { .. }
            | ClientError::Document { .. }
            | ClientError::NoQrCode { .. }
            | ClientError::QrPayload { .. }
            | ClientError::QrTooLarge { .. }
            | ClientError::NotFound { .. }
            | ClientError::Json(_)
            | ClientError::Crypto(_) => Exit::NoInput,
        }
    }

    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        ClientError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
