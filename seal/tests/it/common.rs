//! A test PKI and sealed documents made by the crate itself.

use std::io::{Cursor, Read, Write};

use yinzheng_crypto::Sm2SigningKey;
use yinzheng_seal::{CertSpec, SealRequest, SealSpec, issue_cert, make_seal, ofd, seal_ofd};

pub const T0: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
pub const YEAR: i64 = 365 * 86_400;

pub struct Party {
    pub key: Sm2SigningKey,
    pub cert: Vec<u8>,
}

pub struct Pki {
    pub ca: Party,
    pub maker: Party,
    pub signer: Party,
}

fn party(subject: &str, serial: u64, ca: bool, issuer: Option<&Party>) -> Party {
    let key = Sm2SigningKey::generate().unwrap();
    let spec = CertSpec {
        subject,
        serial,
        not_before: T0 - YEAR,
        not_after: T0 + 5 * YEAR,
        ca,
    };
    let pk = key.verifying_key().to_bytes();
    let cert = match issuer {
        Some(i) => issue_cert(&spec, &pk, &i.key, Some(&i.cert)).unwrap(),
        None => issue_cert(&spec, &pk, &key, None).unwrap(),
    };
    Party { key, cert }
}

impl Pki {
    pub fn new() -> Pki {
        let ca = party("CN=Test Seal CA,O=Yinzheng Test,C=CN", 1, true, None);
        let maker = party(
            "CN=测试电子印章制作系统,O=Yinzheng Test,C=CN",
            2,
            false,
            Some(&ca),
        );
        let signer = party(
            "CN=测试市政务服务中心,O=Yinzheng Test,C=CN",
            3,
            false,
            Some(&ca),
        );
        Pki { ca, maker, signer }
    }

    pub fn seal_spec<'a>(&'a self, picture: &'a [u8]) -> SealSpec<'a> {
        SealSpec {
            es_id: "4403050000001",
            name: "测试市政务服务中心电子印章",
            seal_type: 1,
            vid: "Yinzheng",
            created: T0,
            valid_start: T0,
            valid_end: T0 + 3 * YEAR,
            picture_type: "PNG",
            picture,
            size_mm: (40, 40),
            signer_certs: vec![&self.signer.cert],
        }
    }

    pub fn seal(&self) -> Vec<u8> {
        make_seal(
            &self.seal_spec(b"\x89PNG\r\n\x1a\n"),
            &self.maker.key,
            &self.maker.cert,
        )
        .unwrap()
    }

    pub fn sealed_document(&self) -> Vec<u8> {
        let doc = ofd::text_document(
            "建筑工程施工许可证",
            &["编号 440305202612020001", "建设单位 测试公司"],
        )
        .unwrap();
        let seal = self.seal();
        seal_ofd(&doc, &self.request(&seal, T0 + 86_400)).unwrap()
    }

    pub fn request<'a>(&'a self, seal: &'a [u8], time: i64) -> SealRequest<'a> {
        SealRequest {
            seal,
            key: &self.signer.key,
            cert: &self.signer.cert,
            time,
            boundary: (120, 200, 40, 40),
        }
    }
}

/// The files of a package, in order.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut v = Vec::new();
            f.read_to_end(&mut v).unwrap();
            (f.name().unwrap().into_owned(), v)
        })
        .collect()
}

/// A package from files (stored, so sizes are what they say).
pub fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (n, b) in files {
        z.start_file(n.as_str(), opts).unwrap();
        z.write_all(b).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// `bytes` with the file `name` replaced by `f(old)`.
pub fn edit(bytes: &[u8], name: &str, f: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut files = unzip(bytes);
    let entry = files
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} in package"));
    entry.1 = f(&entry.1);
    zip_of(&files)
}
