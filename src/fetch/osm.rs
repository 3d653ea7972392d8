//! OpenStreetMap for a kommune: a regional or national extract the operator names
//! (`fetch --osm norway-latest.osm.pbf`, e.g. Geofabrik's), or else Norway's extract
//! downloaded from Geofabrik (`endpoints.osm_country`) into a cache every kommune shares
//! (`opts.osm_cache`), asked for again only conditionally (`If-None-Match`,
//! `If-Modified-Since`) and resumed when cut off. Either is put into the folder as
//! `osm.pbf` (a hard link to the cached download, so a later download does not change a
//! folder's copy; a symbolic link to a named file; a copy where links cannot be made) and
//! described in the manifest. It is cut to the kommune when imported (`import kommune`;
//! `import::clip`), so the file itself is never rewritten and one country file serves every
//! kommune.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::http::Validators;
use super::{Ctx, FetchError, Fetched, FileEntry};

pub const FILE: &str = "osm.pbf";

pub(crate) async fn fetch(ctx: &Ctx<'_>) -> Result<Fetched, FetchError> {
    match &ctx.opts.osm {
        Some(file) => named(ctx, file),
        None => country(ctx).await,
    }
}

fn named(ctx: &Ctx<'_>, source: &Path) -> Result<Fetched, FetchError> {
    let shown = source.display().to_string();
    let source = std::fs::canonicalize(source)
        .map_err(|e| ctx.error(&shown, format!("cannot open the extract: {e}")))?;
    let (bytes, sha256) = super::http::sha256_file(&source).map_err(|e| ctx.error(&shown, e))?;
    check_header(&source).map_err(|e| ctx.error(&shown, e))?;
    let to = ctx.staging.join(FILE);
    symlink_or_copy(&source, &to).map_err(|e| ctx.error(&shown, e))?;
    let url = format!("file://{}", source.display());
    Ok(Fetched {
        urls: vec![url.clone()],
        files: vec![FileEntry {
            name: FILE.into(),
            bytes,
            sha256,
            url,
            etag: None,
            last_modified: None,
        }],
        notes: vec![format!("{shown}: {}", cut_note())],
    })
}

fn cut_note() -> String {
    format!(
        "cut to the kommune's polygon and {} m around it when imported",
        crate::import::clip::DEFAULT_BUFFER_M
    )
}

/// What the cache knows of its download, beside it as `NAME.json`.
#[derive(Debug, Serialize, Deserialize)]
struct Cached {
    url: String,
    bytes: u64,
    sha256: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// The country's extract: downloaded into the cache (resumed, conditional), checked to be
/// a PBF, hard-linked into the staging folder.
async fn country(ctx: &Ctx<'_>) -> Result<Fetched, FetchError> {
    let url = ctx.opts.endpoints.osm_country.as_str();
    let cache = &ctx.opts.osm_cache;
    let name = url
        .rsplit('/')
        .next()
        .filter(|n| n.ends_with(".pbf"))
        .unwrap_or("country.osm.pbf");
    std::fs::create_dir_all(cache).map_err(|e| {
        ctx.error(
            url,
            format!("cannot make the cache folder {}: {e}", cache.display()),
        )
    })?;
    let dest = cache.join(name);
    let about = cache.join(format!("{name}.json"));
    let earlier: Option<Cached> = std::fs::read(&about)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|c: &Cached| c.url == url);
    let validators = earlier.as_ref().map(|c| Validators {
        etag: c.etag.clone(),
        last_modified: c.last_modified.clone(),
        content: Some((c.bytes, c.sha256.clone())),
    });
    let got = ctx
        .http
        .download(ctx.source, url, &dest, validators.as_ref())
        .await
        .map_err(|mut e| {
            e.reason.push_str(
                "; or download it (or a region's extract holding the kommune) yourself and \
                 name it with --osm FILE.osm.pbf",
            );
            e
        })?;
    if let Err(e) = check_header(&dest) {
        // Not kept: the next run downloads it again instead of trusting it.
        let _ = std::fs::remove_file(&dest);
        let _ = std::fs::remove_file(&about);
        return Err(ctx.error(url, e));
    }
    let cached = Cached {
        url: url.to_string(),
        bytes: got.bytes,
        sha256: got.sha256.clone(),
        etag: got.etag.clone(),
        last_modified: got.last_modified.clone(),
    };
    let text = serde_json::to_vec_pretty(&cached).expect("serialises");
    std::fs::write(&about, text)
        .map_err(|e| ctx.error(url, format!("cannot write {}: {e}", about.display())))?;
    let to = ctx.staging.join(FILE);
    std::fs::hard_link(&dest, &to)
        .or_else(|_| symlink_or_copy(&dest, &to).map_err(std::io::Error::other))
        .map_err(|e| ctx.error(url, format!("cannot put it into the folder: {e}")))?;
    let how = if got.not_modified {
        "unchanged since the cached download"
    } else {
        "downloaded"
    };
    Ok(Fetched {
        urls: vec![url.to_string()],
        files: vec![FileEntry {
            name: FILE.into(),
            bytes: got.bytes,
            sha256: got.sha256,
            url: url.to_string(),
            etag: got.etag,
            last_modified: got.last_modified,
        }],
        notes: vec![format!(
            "{url}: {how} (cached as {}); {}",
            dest.display(),
            cut_note()
        )],
    })
}

/// That the file starts as an OSM PBF does.
fn check_header(path: &Path) -> Result<(), String> {
    let mut blobs = osmpbf::BlobReader::from_path(path).map_err(|e| format!("cannot read: {e}"))?;
    match blobs.next() {
        Some(Ok(blob)) if matches!(blob.get_type(), osmpbf::BlobType::OsmHeader) => Ok(()),
        _ => Err("not an OSM PBF file (it does not begin with an OSM header)".into()),
    }
}

fn symlink_or_copy(from: &Path, to: &Path) -> Result<(), String> {
    #[cfg(unix)]
    if std::os::unix::fs::symlink(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy into the folder: {e}"))
}
