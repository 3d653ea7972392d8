//! Importers: read a file completely, validate every row, then hand one [`ImportBatch`] to
//! the store, which applies it in a single transaction.
//!
//! Reading never touches the store, so a file that fails anywhere (a truncated PBF, a bad
//! row on line 9,000) leaves the store exactly as it was. Errors name the file, the line
//! (or feature) and the reason.

pub mod addresses;
pub mod boundaries;
pub mod clip;
pub mod districts;
pub mod facilities;
pub mod nature;
pub mod osm;
pub mod population;
pub mod projection;
pub mod text;

use std::path::{Path, PathBuf};

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: {reason}", file.display())]
    File { file: PathBuf, reason: String },
    #[error("{}:{line}: {reason}", file.display())]
    Line {
        file: PathBuf,
        line: u64,
        reason: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ImportError {
    pub fn file(file: &Path, reason: impl Into<String>) -> ImportError {
        ImportError::File {
            file: file.to_path_buf(),
            reason: reason.into(),
        }
    }

    pub fn line(file: &Path, line: u64, reason: impl Into<String>) -> ImportError {
        ImportError::Line {
            file: file.to_path_buf(),
            line,
            reason: reason.into(),
        }
    }
}

/// A GeoJSON geometry as a `geo` geometry (lon/lat, as in the file). Errors: a position
/// with fewer than two numbers (RFC 7946 §3.1.1 asks for at least two; geojson's own
/// conversion indexes them unchecked and panics, as coverage-guided fuzzing found), or a
/// geometry `geo` cannot hold.
pub fn geo_geometry(g: &geojson::Geometry) -> Result<geo::Geometry<f64>, String> {
    fn short(v: &geojson::GeometryValue) -> Option<usize> {
        use geojson::GeometryValue as V;
        let first_short =
            |ps: &mut dyn Iterator<Item = &geojson::Position>| ps.map(|p| p.len()).find(|&n| n < 2);
        match v {
            V::Point { coordinates } => first_short(&mut std::iter::once(coordinates)),
            V::MultiPoint { coordinates } | V::LineString { coordinates } => {
                first_short(&mut coordinates.iter())
            }
            V::MultiLineString { coordinates } | V::Polygon { coordinates } => {
                first_short(&mut coordinates.iter().flatten())
            }
            V::MultiPolygon { coordinates } => {
                first_short(&mut coordinates.iter().flatten().flatten())
            }
            V::GeometryCollection { geometries } => geometries.iter().find_map(|g| short(&g.value)),
        }
    }
    if let Some(n) = short(&g.value) {
        return Err(format!(
            "a position has {n} number(s); each needs a longitude and a latitude"
        ));
    }
    geo::Geometry::try_from(g).map_err(|e| e.to_string())
}

/// The default source name for a file: its name without folders and extensions, so that
/// `barnehager.geojson` and `barnehager.csv` update the same rows.
pub fn default_source(file: &Path) -> String {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.split('.').next().unwrap_or_default().to_string()
}

/// Reads a whole file, turning I/O errors into [`ImportError::File`].
fn read_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    std::fs::read(path).map_err(|e| ImportError::file(path, format!("cannot read: {e}")))
}

/// Lower-case header names, for matching columns regardless of case.
fn find_column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers
        .iter()
        .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
}

/// Turns csv byte positions into the line numbers an editor shows. The csv crate's own
/// line count is one short on CRLF files (Kartverket's), so lines are counted from bytes.
pub(crate) struct Lines<'a> {
    body: &'a [u8],
    counted_to: usize,
    newlines: u64,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(body: &'a [u8]) -> Self {
        Lines {
            body,
            counted_to: 0,
            newlines: 0,
        }
    }

    /// The line of the record that starts at `position`. Positions must not go backwards
    /// between calls, which holds for records read in order; the count is linear overall.
    pub(crate) fn at(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(p) = position else { return 0 };
        // A record's position is just past the previous terminator: on a CRLF file that is
        // the `\n` itself, which belongs to the line before, so it is counted too.
        let end = (p.byte() as usize + 1).min(self.body.len());
        if end > self.counted_to {
            self.newlines += self.body[self.counted_to..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.counted_to = end;
        }
        self.newlines + 1
    }
}

/// An [`ImportError`] for a csv error, with the line where it has one.
fn csv_error(path: &Path, body: &[u8], e: csv::Error) -> ImportError {
    let line = e.position().map(|p| Lines::new(body).at(Some(p)));
    let reason = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("has {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("not valid UTF-8 (field {}): {err}", err.field() + 1)
        }
        _ => e.to_string(),
    };
    match line {
        Some(line) => ImportError::line(path, line, reason),
        None => ImportError::file(path, reason),
    }
}

/// How an error names the `index`th (0-based) feature of a GeoJSON file (issue 20):
/// `feature 4 (line 57, id "abc", «Name»)` — counted from 1, with the line where the feature
/// starts (found in the file's text: its `"type": "Feature"` member), its id and name where
/// known.
pub fn feature_label(path: &Path, index: usize, id: Option<&str>, name: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(line) = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| feature_line(&text, index))
    {
        parts.push(format!("line {line}"));
    }
    if let Some(id) = id {
        parts.push(format!("id {id:?}"));
    }
    if let Some(name) = name {
        parts.push(format!("«{name}»"));
    }
    if parts.is_empty() {
        format!("feature {}", index + 1)
    } else {
        format!("feature {} ({})", index + 1, parts.join(", "))
    }
}

/// The 1-based line of the `index`th `"type": "Feature"` member in a GeoJSON text.
fn feature_line(text: &str, index: usize) -> Option<usize> {
    let mut found = 0;
    let mut rest = text;
    let mut offset = 0;
    while let Some(k) = rest.find("\"Feature\"") {
        let before = rest[..k].trim_end();
        let member =
            before.ends_with(':') && before[..before.len() - 1].trim_end().ends_with("\"type\"");
        if member {
            if found == index {
                return Some(text[..offset + k].matches('\n').count() + 1);
            }
            found += 1;
        }
        offset += k + 9;
        rest = &rest[k + 9..];
    }
    None
}
