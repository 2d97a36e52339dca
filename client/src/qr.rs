//! QR payloads (`docs/spec/qr.md`): a link to the verify page whose fragment
//! carries a compact bundle or a reference; encoding to PNG, SVG or the
//! terminal, and decoding from a photo or screenshot.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use qrcode::{EcLevel, QrCode, Version};
use yinzheng_crypto::Digest;
use yinzheng_ledger::digits;

use crate::error::ClientError;

/// Largest QR version we make (at level L): phone cameras read up to here
/// reliably when the code is printed at 4 cm or more.
pub const MAX_QR_VERSION: i16 = 30;

/// Largest version made at level M; beyond it a code drops to level L.
pub const MAX_M_VERSION: i16 = 25;

/// What a QR code carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// A compact bundle: verifiable with no network at all.
    Bundle(Vec<u8>),
    /// A reference: fetch the bundle from `node`, then verify it locally.
    Reference {
        /// Chain id.
        chain_id: String,
        /// Record id.
        record_id: Digest,
        /// Height the record was committed at.
        height: u64,
        /// Base URL of a node to fetch from (any node will do).
        node: String,
    },
}

/// The link a QR code holds: `BASE#d=<bundle as digits>` (the QR code's
/// numeric mode holds it in three quarters of the room base64url takes) or
/// `BASE#r=<chain>~<record id hex>~<height>~<base64url node URL>`.
pub fn encode_link(base_url: &str, payload: &Payload) -> String {
    match payload {
        Payload::Bundle(b) => format!("{base_url}#d={}", digits::encode(b)),
        Payload::Reference {
            chain_id,
            record_id,
            height,
            node,
        } => format!(
            "{base_url}#r={}~{}~{height}~{}",
            B64.encode(chain_id),
            record_id.to_hex(),
            B64.encode(node)
        ),
    }
}

/// Parse a link (or just its fragment) back into a payload.
pub fn parse_link(text: &str) -> Result<Payload, ClientError> {
    let bad = |reason: &str| ClientError::QrPayload {
        reason: reason.into(),
    };
    let frag = text.trim().rsplit_once('#').map_or(text.trim(), |(_, f)| f);
    // A bundle is the fragment's first parameter; others (`n=`) follow `&`.
    let first = frag.split('&').next().unwrap_or_default();
    if let Some(d) = first.strip_prefix("d=") {
        let bytes = digits::decode(d).map_err(|e| bad(&format!("bundle digits: {e}")))?;
        return Ok(Payload::Bundle(bytes));
    }
    if let Some(b) = first.strip_prefix("b=") {
        let bytes = B64.decode(b).map_err(|_| bad("bundle is not base64url"))?;
        return Ok(Payload::Bundle(bytes));
    }
    if let Some(r) = frag.strip_prefix("r=") {
        let parts: Vec<&str> = r.split('~').collect();
        let [chain, id, height, node] = parts.as_slice() else {
            return Err(bad("a reference has four parts"));
        };
        let chain_id = String::from_utf8(B64.decode(chain).map_err(|_| bad("chain id"))?)
            .map_err(|_| bad("chain id is not UTF-8"))?;
        let record_id =
            Digest::from_hex(id).ok_or_else(|| bad("record id is not 64 hex digits"))?;
        let height = height.parse().map_err(|_| bad("height is not a number"))?;
        let node = String::from_utf8(B64.decode(node).map_err(|_| bad("node URL"))?)
            .map_err(|_| bad("node URL is not UTF-8"))?;
        return Ok(Payload::Reference {
            chain_id,
            record_id,
            height,
            node,
        });
    }
    Err(bad("expected a link ending in #d=…, #b=… or #r=…"))
}

/// A QR code for `text` (its digits in numeric mode, the rest in byte mode):
/// error correction M when it fits in version [`MAX_M_VERSION`], else L;
/// refused beyond version [`MAX_QR_VERSION`].
pub fn qr_code(text: &str) -> Result<QrCode, ClientError> {
    let fits = |c: &QrCode, max: i16| matches!(c.version(), Version::Normal(v) if v <= max);
    if let Ok(c) = QrCode::with_error_correction_level(text, EcLevel::M)
        && fits(&c, MAX_M_VERSION)
    {
        return Ok(c);
    }
    QrCode::with_error_correction_level(text, EcLevel::L)
        .ok()
        .filter(|c| fits(c, MAX_QR_VERSION))
        .ok_or(ClientError::QrTooLarge { len: text.len() })
}

/// Write a code as PNG (`.png`) or SVG (`.svg`); any other name is refused.
pub fn write_image(code: &QrCode, path: &Path) -> Result<(), ClientError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext != "png" && ext != "svg" {
        return Err(ClientError::Usage(format!(
            "{}: QR images are written as .png or .svg",
            path.display()
        )));
    }
    if ext == "png" {
        let img = code
            .render::<image::Luma<u8>>()
            .module_dimensions(6, 6)
            .build();
        img.save(path)
            .map_err(|e| ClientError::io(path, std::io::Error::other(e)))
    } else {
        let svg = code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(400, 400)
            .build();
        std::fs::write(path, svg).map_err(|e| ClientError::io(path, e))
    }
}

/// The code drawn with Unicode half blocks, for a terminal.
pub fn to_terminal(code: &QrCode) -> String {
    code.render::<qrcode::render::unicode::Dense1x2>()
        .dark_color(qrcode::render::unicode::Dense1x2::Light)
        .light_color(qrcode::render::unicode::Dense1x2::Dark)
        .build()
}

/// Read the first QR code in an image file (PNG or JPEG, photo or screenshot).
pub fn decode_image(path: &Path) -> Result<String, ClientError> {
    // The format is read from the content, not the file name.
    let img = image::ImageReader::open(path)
        .map_err(|e| ClientError::io(path, e))?
        .with_guessed_format()
        .map_err(|e| ClientError::io(path, e))?
        .decode()
        .map_err(|e| ClientError::NoQrCode {
            path: format!("{} ({e})", path.display()),
        })?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    for grid in prepared.detect_grids() {
        if let Ok((_, content)) = grid.decode() {
            return Ok(content);
        }
    }
    Err(ClientError::NoQrCode {
        path: path.display().to_string(),
    })
}
