//! Plain OFD documents: one A4 page with lines of text and, optionally, a
//! picture and `DocInfo/CustomDatas` entries (how an e-certificate carries
//! its GB/T 36904 identifier and GB/T 36903 metadata), for the demo, the
//! tests, certificate issuing and anyone who needs an unsealed document.

use super::package::Package;
use super::sign::SealError;
use super::xml::{NS, escape};

/// What a composed document holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocSpec<'a> {
    /// The title (`DocInfo/Title` and the page's first line).
    pub title: &'a str,
    /// Lines of text under the title.
    pub lines: &'a [&'a str],
    /// `DocInfo/CustomDatas` entries, `(Name, value)`, in order.
    pub custom_datas: &'a [(&'a str, &'a str)],
    /// A picture on the page (the certificate's face): its bytes and
    /// format (`PNG` or `JPEG`).
    pub image: Option<(&'a [u8], &'a str)>,
}

/// An A4 document titled `title` whose single page shows `title` and `lines`.
pub fn text_document(title: &str, lines: &[&str]) -> Result<Vec<u8>, SealError> {
    compose(&DocSpec {
        title,
        lines,
        ..DocSpec::default()
    })
}

/// A one-page A4 document as `spec` describes: the picture (when given)
/// fills the page behind the text.
pub fn compose(spec: &DocSpec<'_>) -> Result<Vec<u8>, SealError> {
    let (title, lines) = (spec.title, spec.lines);
    let doc_id = yinzheng_crypto::Suite::Sm.hash(title.as_bytes()).to_hex();
    let custom: String = spec
        .custom_datas
        .iter()
        .map(|(n, v)| {
            format!(
                "<ofd:CustomData Name=\"{}\">{}</ofd:CustomData>",
                escape(n),
                escape(v)
            )
        })
        .collect();
    let custom = if custom.is_empty() {
        custom
    } else {
        format!("<ofd:CustomDatas>{custom}</ofd:CustomDatas>")
    };
    let ofd = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:OFD xmlns:ofd=\"{NS}\" Version=\"1.0\" DocType=\"OFD\">\
         <ofd:DocBody><ofd:DocInfo><ofd:DocID>{}</ofd:DocID><ofd:Title>{}</ofd:Title>\
         <ofd:Creator>Yinzheng</ofd:Creator>{custom}</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>\
         </ofd:DocBody></ofd:OFD>",
        &doc_id[..32],
        escape(title)
    );
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Document xmlns:ofd=\"{NS}\"><ofd:CommonData>\
         <ofd:MaxUnitID>{}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>\
         <ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>\
         <ofd:Pages><ofd:Page ID=\"1\" BaseLoc=\"Pages/Page_0/Content.xml\"/></ofd:Pages></ofd:Document>",
        6 + lines.len()
    );
    let media = match spec.image {
        Some((_, format)) => format!(
            "<ofd:MultiMedias><ofd:MultiMedia ID=\"5\" Type=\"Image\" Format=\"{}\">\
             <ofd:MediaFile>face.{}</ofd:MediaFile></ofd:MultiMedia></ofd:MultiMedias>",
            escape(format),
            image_ext(format)
        ),
        None => String::new(),
    };
    let res = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Res xmlns:ofd=\"{NS}\" BaseLoc=\"Res\"><ofd:Fonts>\
         <ofd:Font ID=\"2\" FontName=\"宋体\" FamilyName=\"宋体\"/></ofd:Fonts>{media}</ofd:Res>"
    );
    let mut text = match spec.image {
        Some(_) => "<ofd:ImageObject ID=\"6\" Boundary=\"0 0 210 297\" CTM=\"210 0 0 297 0 0\" ResourceID=\"5\"/>"
            .to_owned(),
        None => String::new(),
    };
    text.push_str(&format!(
        "<ofd:TextObject ID=\"4\" Boundary=\"20 20 170 12\" Font=\"2\" Size=\"8\"><ofd:TextCode X=\"0\" Y=\"8\">{}</ofd:TextCode></ofd:TextObject>",
        escape(title)
    ));
    for (i, line) in lines.iter().enumerate() {
        text.push_str(&format!(
            "<ofd:TextObject ID=\"{}\" Boundary=\"20 {} 170 8\" Font=\"2\" Size=\"4.5\"><ofd:TextCode X=\"0\" Y=\"5\">{}</ofd:TextCode></ofd:TextObject>",
            7 + i,
            40 + 10 * i,
            escape(line)
        ));
    }
    let page = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Page xmlns:ofd=\"{NS}\"><ofd:Content>\
         <ofd:Layer ID=\"3\">{text}</ofd:Layer></ofd:Content></ofd:Page>"
    );
    let mut pkg = Package::default();
    for (name, body) in [
        ("OFD.xml", ofd),
        ("Doc_0/Document.xml", document),
        ("Doc_0/PublicRes.xml", res),
        ("Doc_0/Pages/Page_0/Content.xml", page),
    ] {
        pkg.put(name.to_owned(), body.into_bytes());
    }
    if let Some((bytes, format)) = spec.image {
        pkg.put(
            format!("Doc_0/Res/face.{}", image_ext(format)),
            bytes.to_vec(),
        );
    }
    pkg.to_zip()
}

fn image_ext(format: &str) -> &'static str {
    if format.eq_ignore_ascii_case("JPEG") || format.eq_ignore_ascii_case("JPG") {
        "jpg"
    } else {
        "png"
    }
}
