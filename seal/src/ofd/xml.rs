//! The three XML files of GB/T 33190 §18 that signatures live in: `OFD.xml`
//! (where the signature list is), `Signatures.xml` (the list) and each
//! `Signature.xml` (what one signature protects). Elements are matched by
//! local name, whatever namespace prefix a producer used; DTDs are refused.

use roxmltree::{Document, Node};

use crate::OfdError;

/// The OFD namespace (GB/T 33190).
pub(crate) const NS: &str = "http://www.ofdspec.org/2016";

/// One `DocBody` of `OFD.xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocBody {
    /// `DocRoot`, e.g. `Doc_0/Document.xml`.
    pub doc_root: Option<String>,
    /// `Signatures`, e.g. `Doc_0/Signs/Signatures.xml`.
    pub signatures: Option<String>,
}

/// One `Signature` entry of `Signatures.xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureEntry {
    /// `ID`.
    pub id: String,
    /// `Type` ("Seal", "Sign"), often absent.
    pub kind: Option<String>,
    /// `BaseLoc` of its `Signature.xml`.
    pub base_loc: String,
}

/// One protected file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `FileRef` as written.
    pub file_ref: String,
    /// `CheckValue`, base64 as written.
    pub check_value: String,
}

/// What `Signature.xml` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureXml {
    /// `SignatureMethod`.
    pub method: Option<String>,
    /// `SignatureDateTime`, free-form text.
    pub date_time: Option<String>,
    /// `References/@CheckMethod`.
    pub check_method: Option<String>,
    /// The protected files.
    pub references: Vec<Reference>,
    /// `Seal/BaseLoc`, when a `Seal.esl` is kept beside the signature.
    pub seal_loc: Option<String>,
    /// `SignedValue`: where `SignedValue.dat` is.
    pub signed_value: String,
}

fn parse(name: &str, bytes: &[u8]) -> Result<String, OfdError> {
    let text = std::str::from_utf8(bytes).map_err(|_| OfdError::Xml {
        file: name.to_owned(),
        reason: "not UTF-8".into(),
    })?;
    Ok(text.trim_start_matches('\u{feff}').to_owned())
}

fn doc<'a>(name: &str, text: &'a str) -> Result<Document<'a>, OfdError> {
    Document::parse(text).map_err(|e| OfdError::Xml {
        file: name.to_owned(),
        reason: e.to_string(),
    })
}

fn child<'a, 'i>(n: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == local)
}

fn text_of(n: Node<'_, '_>) -> String {
    n.text().unwrap_or("").trim().to_owned()
}

/// `OFD.xml`'s `DocBody` elements.
pub fn ofd_xml(name: &str, bytes: &[u8]) -> Result<Vec<DocBody>, OfdError> {
    let text = parse(name, bytes)?;
    let d = doc(name, &text)?;
    Ok(d.root_element()
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "DocBody")
        .map(|b| DocBody {
            doc_root: child(b, "DocRoot").map(text_of),
            signatures: child(b, "Signatures")
                .map(text_of)
                .filter(|s| !s.is_empty()),
        })
        .collect())
}

/// The first `DocBody`'s `DocInfo/CustomDatas` entries, `(Name, text)` in
/// document order (the text as the XML gives it, entities resolved, not
/// trimmed).
pub fn custom_datas(name: &str, bytes: &[u8]) -> Result<Vec<(String, String)>, OfdError> {
    let text = parse(name, bytes)?;
    let d = doc(name, &text)?;
    let Some(body) = child(d.root_element(), "DocBody") else {
        return Ok(Vec::new());
    };
    let Some(list) = child(body, "DocInfo").and_then(|i| child(i, "CustomDatas")) else {
        return Ok(Vec::new());
    };
    Ok(list
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "CustomData")
        .map(|c| {
            let value: String = c
                .children()
                .filter(|t| t.is_text())
                .filter_map(|t| t.text())
                .collect();
            (c.attribute("Name").unwrap_or("").to_owned(), value)
        })
        .collect())
}

/// `Signatures.xml`'s entries, in document order.
pub fn signatures_xml(name: &str, bytes: &[u8]) -> Result<Vec<SignatureEntry>, OfdError> {
    let text = parse(name, bytes)?;
    let d = doc(name, &text)?;
    Ok(d.root_element()
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "Signature")
        .map(|s| SignatureEntry {
            id: s.attribute("ID").unwrap_or("").to_owned(),
            kind: s.attribute("Type").map(str::to_owned),
            base_loc: s.attribute("BaseLoc").unwrap_or("").to_owned(),
        })
        .collect())
}

/// The largest `MaxSignId` and entry ids, so a new signature gets a fresh id.
pub fn max_sign_id(bytes: &[u8]) -> u64 {
    let Ok(text) = parse("Signatures.xml", bytes) else {
        return 0;
    };
    let Ok(d) = Document::parse(&text) else {
        return 0;
    };
    d.descendants()
        .filter_map(|n| {
            if n.is_element() && n.tag_name().name() == "MaxSignId" {
                Some(text_of(n))
            } else {
                n.attribute("ID").map(str::to_owned)
            }
        })
        .filter_map(|s| {
            s.trim_start_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .ok()
        })
        .max()
        .unwrap_or(0)
}

/// One `Signature.xml`.
pub fn signature_xml(name: &str, bytes: &[u8]) -> Result<SignatureXml, OfdError> {
    let text = parse(name, bytes)?;
    let d = doc(name, &text)?;
    let root = d.root_element();
    let missing = |what: &str| OfdError::Xml {
        file: name.to_owned(),
        reason: format!("no {what}"),
    };
    let info = child(root, "SignedInfo").ok_or_else(|| missing("SignedInfo"))?;
    let refs = child(info, "References");
    let references = refs
        .map(|r| {
            r.children()
                .filter(|c| c.is_element() && c.tag_name().name() == "Reference")
                .map(|c| Reference {
                    file_ref: c.attribute("FileRef").unwrap_or("").to_owned(),
                    check_value: child(c, "CheckValue").map(text_of).unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(SignatureXml {
        method: child(info, "SignatureMethod").map(text_of),
        date_time: child(info, "SignatureDateTime").map(text_of),
        check_method: refs
            .and_then(|r| r.attribute("CheckMethod"))
            .map(str::to_owned),
        references,
        seal_loc: child(info, "Seal")
            .and_then(|s| child(s, "BaseLoc"))
            .map(text_of),
        signed_value: child(root, "SignedValue")
            .map(text_of)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("SignedValue"))?,
    })
}

/// Whether a `CheckMethod` means SM3 (P7: names and OIDs, any case, and the
/// wrong `1.2.156.10197.1.401.2` seen in the wild). Absent means SM3.
pub fn is_sm3_method(method: Option<&str>) -> bool {
    match method.map(|m| m.trim().to_ascii_lowercase()) {
        None => true,
        Some(m) => matches!(
            m.as_str(),
            "" | "sm3" | "1.2.156.10197.1.401" | "1.2.156.10197.1.401.1" | "1.2.156.10197.1.401.2"
        ),
    }
}

/// Text escaped for XML content and attribute values.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
