//! A plain one-page OFD document with lines of text, for the demo, the tests
//! and anyone who needs an unsealed document to try the tools on.

use super::package::Package;
use super::sign::SealError;
use super::xml::NS;

/// An A4 document titled `title` whose single page shows `title` and `lines`.
pub fn text_document(title: &str, lines: &[&str]) -> Result<Vec<u8>, SealError> {
    let doc_id = yinzheng_crypto::Suite::Sm.hash(title.as_bytes()).to_hex();
    let ofd = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:OFD xmlns:ofd=\"{NS}\" Version=\"1.0\" DocType=\"OFD\">\
         <ofd:DocBody><ofd:DocInfo><ofd:DocID>{}</ofd:DocID><ofd:Title>{}</ofd:Title>\
         <ofd:Creator>Yinzheng</ofd:Creator></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>\
         </ofd:DocBody></ofd:OFD>",
        &doc_id[..32],
        super::xml::escape(title)
    );
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Document xmlns:ofd=\"{NS}\"><ofd:CommonData>\
         <ofd:MaxUnitID>{}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>\
         <ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>\
         <ofd:Pages><ofd:Page ID=\"1\" BaseLoc=\"Pages/Page_0/Content.xml\"/></ofd:Pages></ofd:Document>",
        4 + lines.len()
    );
    let res = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ofd:Res xmlns:ofd=\"{NS}\" BaseLoc=\"Res\"><ofd:Fonts>\
         <ofd:Font ID=\"2\" FontName=\"宋体\" FamilyName=\"宋体\"/></ofd:Fonts></ofd:Res>"
    );
    let mut text = format!(
        "<ofd:TextObject ID=\"4\" Boundary=\"20 20 170 12\" Font=\"2\" Size=\"8\"><ofd:TextCode X=\"0\" Y=\"8\">{}</ofd:TextCode></ofd:TextObject>",
        super::xml::escape(title)
    );
    for (i, line) in lines.iter().enumerate() {
        text.push_str(&format!(
            "<ofd:TextObject ID=\"{}\" Boundary=\"20 {} 170 8\" Font=\"2\" Size=\"4.5\"><ofd:TextCode X=\"0\" Y=\"5\">{}</ofd:TextCode></ofd:TextObject>",
            5 + i,
            40 + 10 * i,
            super::xml::escape(line)
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
    pkg.to_zip()
}
