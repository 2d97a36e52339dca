//! Sealing an OFD document (GB/T 38540 §7.2 with the GB/T 33190 §18 layout):
//! every file protected by its SM3, `Signature.xml` hashed into `dataHash`,
//! the `SES_Signature` in `SignedValue.dat`, the seal in `Seal.esl`, and the
//! entry appended to `Signatures.xml`. `Signatures.xml` itself is left out of
//! the protected set, so a later signature keeps earlier ones verifiable.

use base64::Engine;
use yinzheng_crypto::{Sm2SigningKey, Suite};

use super::package::{Limits, Package, dir_of, resolve};
use super::xml::{self, NS};
use crate::{OfdError, make};

/// One sealing of a document.
#[derive(Debug, Clone, Copy)]
pub struct SealRequest<'a> {
    /// The `SESeal` DER to stamp with.
    pub seal: &'a [u8],
    /// The signer's key.
    pub key: &'a Sm2SigningKey,
    /// The signer's certificate (DER), one the seal admits.
    pub cert: &'a [u8],
    /// Signing time, Unix seconds.
    pub time: i64,
    /// Where the stamp appears on the first page, millimetres
    /// `(x, y, width, height)`.
    pub boundary: (u32, u32, u32, u32),
}

/// Why a document could not be sealed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The document cannot be read.
    #[error(transparent)]
    Document(#[from] OfdError),
    /// The seal does not parse.
    #[error("seal: {0}")]
    Seal(#[from] crate::ParseError),
    /// Signing failed.
    #[error("signing: {0}")]
    Crypto(#[from] yinzheng_crypto::CryptoError),
    /// Writing the package failed.
    #[error("writing the package: {0}")]
    Zip(String),
}

/// Seal `doc` and return the sealed package.
pub fn seal_ofd(doc: &[u8], req: &SealRequest<'_>) -> Result<Vec<u8>, SealError> {
    crate::Seal::parse(req.seal)?;
    let mut pkg = Package::open(doc, Limits::default())?;
    let ofd_xml = pkg
        .get("OFD.xml")
        .ok_or(OfdError::Missing("OFD.xml".into()))?
        .to_vec();
    let bodies = xml::ofd_xml("OFD.xml", &ofd_xml)?;
    let body = bodies.first().ok_or(OfdError::Xml {
        file: "OFD.xml".into(),
        reason: "no DocBody".into(),
    })?;
    let doc_root = body
        .doc_root
        .as_deref()
        .and_then(|r| resolve("", r))
        .ok_or(OfdError::Missing("DocRoot".into()))?;
    let doc_dir = dir_of(&doc_root).to_owned();

    // Where the signature list is, adding it to OFD.xml on the first seal.
    let list_path = match &body.signatures {
        Some(loc) => resolve("", loc).ok_or(OfdError::Missing(loc.clone()))?,
        None => {
            let path = if doc_dir.is_empty() {
                "Signs/Signatures.xml".to_owned()
            } else {
                format!("{doc_dir}/Signs/Signatures.xml")
            };
            pkg.put(
                "OFD.xml".into(),
                add_signatures_to_ofd_xml(&ofd_xml, &path)?,
            );
            path
        }
    };
    let list_dir = dir_of(&list_path).to_owned();
    let old_list = pkg.get(&list_path).map(<[u8]>::to_vec);
    let next = old_list.as_deref().map_or(0, xml::max_sign_id) + 1;
    let mut n = 0;
    let sign_dir = loop {
        let d = join(&list_dir, &format!("Sign_{n}"));
        if !pkg.names().any(|f| f.starts_with(&format!("{d}/"))) {
            break d;
        }
        n += 1;
    };

    // Every file but the signature list is protected (§3.1 step 7).
    let mut refs = String::new();
    for (name, bytes) in pkg.files() {
        if name == list_path {
            continue;
        }
        let value = base64::engine::general_purpose::STANDARD.encode(Suite::Sm.hash(bytes).0);
        refs.push_str(&format!(
            "<ofd:Reference FileRef=\"/{}\"><ofd:CheckValue>{value}</ofd:CheckValue></ofd:Reference>",
            xml::escape(name)
        ));
    }
    let page = first_page_id(&pkg, &doc_root);
    let (x, y, w, h) = req.boundary;
    let annot = page
        .map(|p| {
            format!("<ofd:StampAnnot ID=\"{next}\" PageRef=\"{p}\" Boundary=\"{x} {y} {w} {h}\"/>")
        })
        .unwrap_or_default();
    let signature_xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Signature xmlns:ofd=\"{NS}\"><ofd:SignedInfo>\
         <ofd:Provider ProviderName=\"Yinzheng\" Version=\"{}\" Company=\"Yinzheng\"/>\
         <ofd:SignatureMethod>{}</ofd:SignatureMethod>\
         <ofd:SignatureDateTime>{}</ofd:SignatureDateTime>\
         <ofd:References CheckMethod=\"1.2.156.10197.1.401\">{refs}</ofd:References>{annot}\
         <ofd:Seal><ofd:BaseLoc>/{sign_dir}/Seal.esl</ofd:BaseLoc></ofd:Seal>\
         </ofd:SignedInfo><ofd:SignedValue>/{sign_dir}/SignedValue.dat</ofd:SignedValue></ofd:Signature>",
        env!("CARGO_PKG_VERSION"),
        crate::OID_SM2_WITH_SM3,
        crate::time::generalized(req.time),
    )
    .into_bytes();
    let data_hash = Suite::Sm.hash(&signature_xml).0;
    let signed_value = make::make_signature(
        req.seal,
        req.key,
        req.cert,
        req.time,
        &data_hash,
        &format!("/{sign_dir}/Signature.xml"),
    )?;
    let entry = format!(
        "<ofd:Signature ID=\"s{next:03}\" Type=\"Seal\" BaseLoc=\"/{sign_dir}/Signature.xml\"/>"
    );
    let list = match old_list {
        Some(old) => append_entry(&list_path, &old, &entry, next)?,
        None => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Signatures xmlns:ofd=\"{NS}\"><ofd:MaxSignId>{next}</ofd:MaxSignId>{entry}</ofd:Signatures>"
        )
        .into_bytes(),
    };
    pkg.put(format!("{sign_dir}/Signature.xml"), signature_xml);
    pkg.put(format!("{sign_dir}/SignedValue.dat"), signed_value);
    pkg.put(format!("{sign_dir}/Seal.esl"), req.seal.to_vec());
    pkg.put(list_path, list);
    pkg.to_zip()
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// Insert `<Signatures>` into the first `DocBody` of `OFD.xml`, with the
/// prefix the file uses.
fn add_signatures_to_ofd_xml(ofd_xml: &[u8], path: &str) -> Result<Vec<u8>, OfdError> {
    let text = std::str::from_utf8(ofd_xml).map_err(|_| OfdError::Xml {
        file: "OFD.xml".into(),
        reason: "not UTF-8".into(),
    })?;
    let (close, prefix) = ["</ofd:DocBody>", "</DocBody>"]
        .iter()
        .find_map(|c| {
            text.find(c)
                .map(|at| (at, if c.contains("ofd:") { "ofd:" } else { "" }))
        })
        .ok_or(OfdError::Xml {
            file: "OFD.xml".into(),
            reason: "no DocBody".into(),
        })?;
    let mut out = text[..close].to_owned();
    out.push_str(&format!("<{prefix}Signatures>{path}</{prefix}Signatures>"));
    out.push_str(&text[close..]);
    Ok(out.into_bytes())
}

/// Append an entry to `Signatures.xml` and raise `MaxSignId`.
fn append_entry(name: &str, old: &[u8], entry: &str, max: u64) -> Result<Vec<u8>, OfdError> {
    let bad = |reason: &str| OfdError::Xml {
        file: name.to_owned(),
        reason: reason.to_owned(),
    };
    let text = std::str::from_utf8(old).map_err(|_| bad("not UTF-8"))?;
    xml::signatures_xml(name, old)?;
    let close = text.rfind("</").ok_or_else(|| bad("no closing tag"))?;
    let mut out = text[..close].to_owned();
    let entry = if text.contains("<ofd:") {
        entry.to_owned()
    } else {
        entry.replace("ofd:", "")
    };
    out.push_str(&entry);
    out.push_str(&text[close..]);
    // MaxSignId, when present.
    if let Some(start) = out.find("MaxSignId>") {
        let from = start + "MaxSignId>".len();
        if let Some(len) = out[from..].find('<') {
            out.replace_range(from..from + len, &max.to_string());
        }
    }
    Ok(out.into_bytes())
}

/// The ID of the first page in `Document.xml`.
fn first_page_id(pkg: &Package, doc_root: &str) -> Option<String> {
    let text = std::str::from_utf8(pkg.get(doc_root)?).ok()?;
    let d = roxmltree::Document::parse(text.trim_start_matches('\u{feff}')).ok()?;
    d.descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "Page")
        .and_then(|p| p.attribute("ID"))
        .map(str::to_owned)
}
