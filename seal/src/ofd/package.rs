//! The OFD container: a ZIP package read into memory under hard limits, with
//! entry names checked and paths resolved as GB/T 33190 does.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use yinzheng_crypto::{Digest, Suite};

use crate::OfdError;

/// Bounds on what a package may make us hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most entries in a package.
    pub max_entries: usize,
    /// Largest single entry, uncompressed.
    pub max_entry_bytes: u64,
    /// Largest total, uncompressed.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 10_000,
            max_entry_bytes: 64 << 20,
            max_total_bytes: 256 << 20,
        }
    }
}

/// An OFD package's files, by normalised name (no leading `/`).
#[derive(Debug, Clone, Default)]
pub struct Package {
    files: BTreeMap<String, Vec<u8>>,
    /// SM3 of files already hashed: several signatures protect the same files.
    sm3: RefCell<BTreeMap<String, Digest>>,
}

impl Package {
    /// Read every entry of a ZIP package, refusing duplicate or unsafe
    /// names, encrypted entries and anything over `limits` (sizes are counted
    /// as bytes come out of the decompressor, not as the header claims).
    pub fn open(bytes: &[u8], limits: Limits) -> Result<Package, OfdError> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| OfdError::NotZip(e.to_string()))?;
        if zip.len() > limits.max_entries {
            return Err(OfdError::TooLarge(format!(
                "{} entries (at most {})",
                zip.len(),
                limits.max_entries
            )));
        }
        let mut files = BTreeMap::new();
        let mut total: u64 = 0;
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .map_err(|e| OfdError::BadEntry(format!("entry {i}: {e}")))?;
            let raw_name = entry
                .name()
                .map_err(|e| OfdError::BadEntry(format!("entry {i}: {e}")))?
                .into_owned();
            if entry.is_dir() {
                continue;
            }
            let name = normalise_entry(&raw_name)?;
            let room = (limits.max_total_bytes - total).min(limits.max_entry_bytes);
            let mut data = Vec::new();
            (&mut entry)
                .take(room + 1)
                .read_to_end(&mut data)
                .map_err(|e| OfdError::BadEntry(format!("{name}: {e}")))?;
            if data.len() as u64 > room {
                return Err(OfdError::TooLarge(format!(
                    "{name} expands past {room} bytes"
                )));
            }
            total += data.len() as u64;
            if files.insert(name.clone(), data).is_some() {
                return Err(OfdError::DuplicateEntry(name));
            }
        }
        Ok(Package {
            files,
            sm3: RefCell::default(),
        })
    }

    /// SM3 of a file, computed once.
    pub fn sm3(&self, name: &str) -> Option<Digest> {
        if let Some(d) = self.sm3.borrow().get(name) {
            return Some(*d);
        }
        let d = Suite::Sm.hash(self.get(name)?);
        self.sm3.borrow_mut().insert(name.to_owned(), d);
        Some(d)
    }

    /// A file by normalised name.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(Vec::as_slice)
    }

    /// Every file name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Every file.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The package as a ZIP, `OFD.xml` first (as readers expect), every entry
    /// deflated.
    pub(crate) fn to_zip(&self) -> Result<Vec<u8>, crate::ofd::SealError> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let zerr = |e: &dyn std::fmt::Display| crate::ofd::SealError::Zip(e.to_string());
        let mut names: Vec<&str> = self.names().collect();
        names.sort_by_key(|n| (*n != "OFD.xml", *n));
        for name in names {
            zip.start_file(name, opts).map_err(|e| zerr(&e))?;
            zip.write_all(self.get(name).unwrap_or_default())
                .map_err(|e| zerr(&e))?;
        }
        Ok(zip.finish().map_err(|e| zerr(&e))?.into_inner())
    }

    /// Replace or add a file (for the signer).
    pub(crate) fn put(&mut self, name: String, data: Vec<u8>) {
        self.sm3.borrow_mut().remove(&name);
        self.files.insert(name, data);
    }
}

/// A ZIP entry name as a package path: `/` separators, no leading `/` or
/// `./`, no `..`, no backslash, no NUL.
fn normalise_entry(raw: &str) -> Result<String, OfdError> {
    let unsafe_name = || OfdError::UnsafeName(raw.to_owned());
    if raw.contains('\\') || raw.contains('\0') {
        return Err(unsafe_name());
    }
    let mut parts = Vec::new();
    for seg in raw.split('/') {
        match seg {
            "" | "." => {}
            ".." => return Err(unsafe_name()),
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err(unsafe_name());
    }
    Ok(parts.join("/"))
}

/// Resolve a location written in a package file: absolute (`/Doc_0/…`) from
/// the root, otherwise relative to `base_dir`. None when it climbs above the
/// root.
pub fn resolve(base_dir: &str, loc: &str) -> Option<String> {
    let loc = loc.trim();
    let mut parts: Vec<&str> = if loc.starts_with('/') {
        Vec::new()
    } else {
        base_dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in loc.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The directory part of a package path.
pub fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        assert_eq!(
            resolve("Doc_0/Signs", "Sign_0/Signature.xml").unwrap(),
            "Doc_0/Signs/Sign_0/Signature.xml"
        );
        assert_eq!(
            resolve("Doc_0/Signs", "/Doc_0/Signs/Sign_0/Signature.xml").unwrap(),
            "Doc_0/Signs/Sign_0/Signature.xml"
        );
        assert_eq!(
            resolve("Doc_0/Signs", "../Pages/./Page_0.xml").unwrap(),
            "Doc_0/Pages/Page_0.xml"
        );
        assert!(resolve("", "../../etc/passwd").is_none());
        assert!(normalise_entry("../evil").is_err());
        assert!(normalise_entry("a\\b").is_err());
        assert_eq!(normalise_entry("/./Doc_0//x.xml").unwrap(), "Doc_0/x.xml");
    }
}
