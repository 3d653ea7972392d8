//! `naermiljo fetch --kommune KNR`: one kommune's official open data from its publishers
//! into a folder, as `../shared/DATA-SOURCES.md` describes them: the boundary (Kartverket
//! kommuneinfo), grunnkretser (Geonorge's download API, names from SSB Klass), addresses (Matrikkelen, found through Geonorge's ATOM feed), schools and
//! kindergartens (Udir's NSR and NBR), sports facilities and nærmiljøanlegg
//! (Anleggsregisteret) and residents per grunnkrets (SSB table 04317).
//!
//! Each source is all-or-nothing: its files are written to `DIR/.staging/SOURCE/` and moved
//! into `DIR` only when the whole source arrived and parsed; a source that fails leaves its
//! earlier files and manifest entry as they were. Downloads resume (`DIR/.cache/`) and are
//! asked for conditionally. `DIR/manifest.json` tells per source the URLs, time, files with
//! bytes and SHA-256, licence and attribution.

mod addresses;
mod anlegg;
mod grunnkretser;
pub mod http;
mod kommune;
mod osm;
pub use osm::FILE as OSM_FILE;
pub mod manifest;
mod ssb;
mod udir;

use std::path::{Path, PathBuf};

pub use http::{Http, RetryPolicy};
pub use manifest::{FileEntry, Manifest, SourceEntry};

/// One publisher's data set, fetched as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Source {
    /// Boundary and names: Kartverket kommuneinfo.
    Kommune,
    /// Grunnkrets polygons (Geonorge's download API) with delområde names (SSB Klass).
    Grunnkretser,
    /// Matrikkelen addresses: Kartverket, through Geonorge's ATOM feed.
    Addresses,
    /// Schools: Udir's Nasjonalt skoleregister (NSR).
    Schools,
    /// Kindergartens: Udir's Nasjonalt barnehageregister (NBR).
    Kindergartens,
    /// Sports facilities and nærmiljøanlegg: Anleggsregisteret.
    SportsFacilities,
    /// Residents per grunnkrets: SSB table 04317.
    Population,
    /// OpenStreetMap: the extract named with `--osm`, or Norway's (Geofabrik), downloaded
    /// once and cached.
    Osm,
}

impl Source {
    /// The registers' sources; the command line adds [`Source::Osm`] to them by default.
    pub const ALL: [Source; 7] = [
        Source::Kommune,
        Source::Grunnkretser,
        Source::Addresses,
        Source::Schools,
        Source::Kindergartens,
        Source::SportsFacilities,
        Source::Population,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Source::Kommune => "kommune",
            Source::Grunnkretser => "grunnkretser",
            Source::Addresses => "addresses",
            Source::Schools => "schools",
            Source::Kindergartens => "kindergartens",
            Source::SportsFacilities => "sports-facilities",
            Source::Population => "population",
            Source::Osm => "osm",
        }
    }

    /// The licence and the attribution text to show wherever the data shows
    /// (DATA-SOURCES.md).
    pub fn licence(self) -> (&'static str, &'static str) {
        match self {
            Source::Kommune | Source::Grunnkretser | Source::Addresses => {
                ("CC BY 4.0", crate::domain::attribution::KARTVERKET)
            }
            Source::Schools | Source::Kindergartens => {
                ("NLOD 2.0", crate::domain::attribution::UDIR)
            }
            Source::SportsFacilities => ("NLOD 2.0", crate::domain::attribution::ANLEGG),
            Source::Population => ("CC BY 4.0", crate::domain::attribution::SSB),
            Source::Osm => ("ODbL 1.0", crate::domain::attribution::OSM),
        }
    }
}

/// What went wrong with one source: which, where, and why.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}: {url}: {reason}", dataset.name())]
pub struct FetchError {
    pub dataset: Source,
    pub url: String,
    pub reason: String,
}

impl FetchError {
    pub fn new(source: Source, url: &str, reason: impl Into<String>) -> FetchError {
        FetchError {
            dataset: source,
            url: url.to_string(),
            reason: reason.into(),
        }
    }
}

/// The publishers' base URLs; each can be replaced (`--endpoint NAME=URL`), for mirrors
/// and for tests.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub kommuneinfo: String,
    pub address_feed: String,
    pub nsr: String,
    pub nbr: String,
    pub anlegg: String,
    pub ssb: String,
    pub geonorge_download: String,
    pub klass: String,
    /// The country's OpenStreetMap extract, downloaded once into the cache when no `--osm`
    /// file is named.
    pub osm_country: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Endpoints {
            kommuneinfo: "https://ws.geonorge.no/kommuneinfo/v1".into(),
            address_feed:
                "https://nedlasting.geonorge.no/geonorge/ATOM-feeds/MatrikkelenAdresse_AtomFeedCSV.xml"
                    .into(),
            nsr: "https://data-nsr.udir.no/v4".into(),
            nbr: "https://data-nbr.udir.no/v4".into(),
            anlegg: "https://backoffice.anleggsregisteret.no/api".into(),
            ssb: "https://data.ssb.no/api/pxwebapi/v2".into(),
            geonorge_download: "https://nedlasting.geonorge.no/api".into(),
            klass: "https://data.ssb.no/api/klass/v1".into(),
            osm_country: "https://download.geofabrik.de/europe/norway-latest.osm.pbf".into(),
        }
    }
}

impl Endpoints {
    pub const NAMES: [&'static str; 9] = [
        "kommuneinfo",
        "address-feed",
        "nsr",
        "nbr",
        "anlegg",
        "ssb",
        "geonorge-download",
        "klass",
        "osm-country",
    ];

    /// Sets one from `NAME=URL`.
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (name, url) = assignment
            .split_once('=')
            .ok_or_else(|| format!("--endpoint {assignment:?}: expected NAME=URL"))?;
        let url = url.trim().trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("--endpoint {name}: {url:?} is not an http(s) URL"));
        }
        let slot = match name.trim() {
            "kommuneinfo" => &mut self.kommuneinfo,
            "address-feed" => &mut self.address_feed,
            "nsr" => &mut self.nsr,
            "nbr" => &mut self.nbr,
            "anlegg" => &mut self.anlegg,
            "ssb" => &mut self.ssb,
            "geonorge-download" => &mut self.geonorge_download,
            "klass" => &mut self.klass,
            "osm-country" => &mut self.osm_country,
            other => {
                return Err(format!(
                    "--endpoint {other}: unknown; names: {}",
                    Self::NAMES.join(", ")
                ));
            }
        };
        *slot = url;
        Ok(())
    }
}

/// What to fetch, where to.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Four digits, as given (`3301`).
    pub kommune: String,
    pub out: PathBuf,
    pub endpoints: Endpoints,
    pub sources: Vec<Source>,
    /// The first pause between polls of an order (Geonorge), doubling to 30 s.
    pub poll_interval: std::time::Duration,
    /// How long an order may take to be ready.
    pub poll_timeout: std::time::Duration,
    /// The OpenStreetMap extract (region or country) the kommune is cut from; `None`: the
    /// country's, from `endpoints.osm_country`, kept in `osm_cache`.
    pub osm: Option<PathBuf>,
    /// Where the downloaded country extract is kept, for every kommune fetched on this
    /// machine (`DATA/osm-cache` from the command line).
    pub osm_cache: PathBuf,
}

/// A four-digit kommune number, or why not.
pub fn kommune_number(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "{s:?} is not a kommune number: four digits, e.g. 3301 for Drammen"
        ))
    }
}

/// What a source's fetcher hands back: its files (in the staging folder), the URLs it
/// read, and notes for the operator (units without a position, mended points, …).
#[derive(Debug, Default)]
pub(crate) struct Fetched {
    pub files: Vec<FileEntry>,
    pub urls: Vec<String>,
    pub notes: Vec<String>,
}

/// What every fetcher gets.
pub(crate) struct Ctx<'a> {
    pub http: &'a Http,
    pub opts: &'a FetchOptions,
    pub source: Source,
    /// Where this source's new files go until all of them are there.
    pub staging: PathBuf,
    /// Kept between runs: downloads to resume, details to reuse.
    pub cache: PathBuf,
    /// This source's entry from the previous fetch.
    pub earlier: Option<&'a SourceEntry>,
}

impl Ctx<'_> {
    pub fn error(&self, url: &str, reason: impl Into<String>) -> FetchError {
        FetchError::new(self.source, url, reason)
    }

    /// Writes a file into the staging folder and describes it for the manifest.
    pub fn write(&self, name: &str, bytes: &[u8], url: &str) -> Result<FileEntry, FetchError> {
        use sha2::Digest;
        let path = self.staging.join(name);
        std::fs::write(&path, bytes)
            .map_err(|e| self.error(url, format!("cannot write {}: {e}", path.display())))?;
        Ok(FileEntry {
            name: name.to_string(),
            bytes: bytes.len() as u64,
            sha256: http::hex(&sha2::Sha256::digest(bytes)),
            url: url.to_string(),
            etag: None,
            last_modified: None,
        })
    }
}

/// What a run did: the sources fetched, and those that failed (each left as it was).
#[derive(Debug, Default)]
pub struct FetchReport {
    pub fetched: Vec<(Source, SourceEntry)>,
    pub failed: Vec<FetchError>,
}

/// Fetches each of `opts.sources` in turn (the boundary first: the sports facilities are
/// kept by it), commits each that arrives whole, and rewrites the manifest.
pub async fn fetch(opts: &FetchOptions, http: &Http) -> Result<FetchReport, FetchError> {
    let out = &opts.out;
    let setup =
        |reason: String| FetchError::new(Source::Kommune, &out.display().to_string(), reason);
    std::fs::create_dir_all(out).map_err(|e| setup(format!("cannot make the folder: {e}")))?;
    let mut manifest = Manifest::read(out).map_err(setup)?;
    if manifest
        .kommune
        .as_deref()
        .is_some_and(|k| k != opts.kommune)
    {
        return Err(setup(format!(
            "holds kommune {} already: fetch kommune {} into another folder",
            manifest.kommune.as_deref().unwrap_or_default(),
            opts.kommune
        )));
    }
    manifest.kommune = Some(opts.kommune.clone());
    let mut sources = opts.sources.clone();
    sources.sort();
    sources.dedup();
    let mut report = FetchReport::default();
    for source in sources {
        let staging = out.join(".staging").join(source.name());
        let cache = out.join(".cache").join(source.name());
        let _ = std::fs::remove_dir_all(&staging);
        for dir in [&staging, &cache] {
            std::fs::create_dir_all(dir).map_err(|e| {
                FetchError::new(
                    source,
                    &dir.display().to_string(),
                    format!("cannot make the folder: {e}"),
                )
            })?;
        }
        let ctx = Ctx {
            http,
            opts,
            source,
            staging: staging.clone(),
            cache,
            earlier: manifest.sources.get(source.name()),
        };
        let result = match source {
            Source::Kommune => kommune::fetch(&ctx).await,
            Source::Grunnkretser => grunnkretser::fetch(&ctx).await,
            Source::Addresses => addresses::fetch(&ctx).await,
            Source::Schools => udir::fetch(&ctx, udir::Register::Nsr).await,
            Source::Kindergartens => udir::fetch(&ctx, udir::Register::Nbr).await,
            Source::SportsFacilities => anlegg::fetch(&ctx).await,
            Source::Population => ssb::fetch(&ctx).await,
            Source::Osm => osm::fetch(&ctx).await,
        };
        let outcome = match result {
            Ok(fetched) => commit(out, &staging, source, fetched),
            Err(e) => Err(e),
        };
        let _ = std::fs::remove_dir_all(&staging);
        match outcome {
            Ok(entry) => {
                for note in &entry.notes {
                    eprintln!("{}: {note}", source.name());
                }
                manifest.sources.insert(source.name().into(), entry.clone());
                manifest.write(out).map_err(|reason| {
                    FetchError::new(
                        source,
                        &out.join("manifest.json").display().to_string(),
                        reason,
                    )
                })?;
                report.fetched.push((source, entry));
            }
            Err(e) => report.failed.push(e),
        }
    }
    let _ = std::fs::remove_dir(out.join(".staging"));
    Ok(report)
}

/// Moves a source's staged files into `out` and makes its manifest entry.
fn commit(
    out: &Path,
    staging: &Path,
    source: Source,
    fetched: Fetched,
) -> Result<SourceEntry, FetchError> {
    for f in &fetched.files {
        let to = out.join(&f.name);
        std::fs::rename(staging.join(&f.name), &to).map_err(|e| {
            FetchError::new(
                source,
                &f.url,
                format!("cannot write {}: {e}", to.display()),
            )
        })?;
    }
    let (licence, attribution) = source.licence();
    Ok(SourceEntry {
        fetched_at: jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or(jiff::Timestamp::now())
            .to_string(),
        urls: fetched.urls,
        files: fetched.files,
        licence: licence.into(),
        attribution: attribution.into(),
        notes: fetched.notes,
    })
}

/// One member of a downloaded zip: the one `choose` picks from the members' names (`None`:
/// none fits, said with the names). A damaged zip says so (a cut-off download, most often).
pub(crate) fn unzip(
    path: &Path,
    what: &str,
    choose: impl Fn(&[String]) -> Option<String>,
) -> Result<(String, Vec<u8>), String> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| format!("the zip is damaged (a cut-off download?): {e}"))?;
    let names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .map(|n| n.to_string())
        .collect();
    let member = choose(&names)
        .ok_or_else(|| format!("the zip holds no {what} (members: {})", names.join(", ")))?;
    let mut out = Vec::new();
    zip.by_name(&member)
        .map_err(|e| format!("the zip is damaged at {member}: {e}"))?
        .read_to_end(&mut out)
        .map_err(|e| format!("the zip is damaged at {member}: {e}"))?;
    Ok((member, out))
}
