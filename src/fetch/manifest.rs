//! `DIR/manifest.json`: what each source's files are, where and when they came from, and
//! the licence and attribution to show with them. The importer and the pages read it.
//!
//! ```json
//! { "kommune": "3301",
//!   "sources": { "addresses": { "fetched_at": "2026-11-30T03:00:00Z",
//!       "urls": ["https://…_CSV.zip"], "licence": "CC BY 4.0",
//!       "attribution": "© Kartverket (CC BY 4.0)", "notes": [],
//!       "files": [{ "name": "adresser.csv", "bytes": 3507611, "sha256": "…", "url": "…",
//!                   "etag": "\"…\"", "last_modified": "…" }] } } }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub kommune: Option<String>,
    #[serde(default)]
    pub sources: BTreeMap<String, SourceEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceEntry {
    /// RFC 3339, UTC.
    pub fetched_at: String,
    pub urls: Vec<String>,
    pub files: Vec<FileEntry>,
    pub licence: String,
    pub attribution: String,
    /// What the operator should know: units left out and why, points mended.
    #[serde(default)]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The file's name in the folder.
    pub name: String,
    pub bytes: u64,
    /// Of the file as written, hex.
    pub sha256: String,
    /// Where it (or what it was made from) came from.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Manifest {
    pub const FILE: &'static str = "manifest.json";

    /// The folder's manifest, or an empty one when there is none yet.
    pub fn read(dir: &Path) -> Result<Manifest, String> {
        let path = dir.join(Self::FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| format!("{} is not a naermiljo manifest: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Writes it whole or not at all (a temporary file, then a rename).
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        let path = dir.join(Self::FILE);
        let tmp = dir.join(".manifest.json.tmp");
        let text = serde_json::to_string_pretty(self).expect("a manifest serialises");
        std::fs::write(&tmp, text + "\n")
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// The attribution texts of the sources fetched, in source order.
    pub fn attributions(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for entry in self.sources.values() {
            if !out.contains(&entry.attribution) {
                out.push(entry.attribution.clone());
            }
        }
        out
    }
}
