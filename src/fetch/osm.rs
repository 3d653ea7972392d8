//! OpenStreetMap for a kommune: a regional or national extract the operator names
//! (`fetch --osm norway-latest.osm.pbf`, e.g. Geofabrik's), linked into the folder as
//! `osm.pbf` (copied where links cannot be made) and described in the manifest. It is cut to
//! the kommune when imported (`import kommune`; `import::clip`), so the file itself is never
//! rewritten and one country file serves every kommune.

use std::io::Read;
use std::path::Path;

use super::{Ctx, FetchError, Fetched, FileEntry};

pub const FILE: &str = "osm.pbf";

pub(crate) async fn fetch(ctx: &Ctx<'_>) -> Result<Fetched, FetchError> {
    let Some(source) = &ctx.opts.osm else {
        return Err(ctx.error(
            "",
            "name the OpenStreetMap extract to cut the kommune from with --osm FILE.osm.pbf \
             (Geofabrik publishes Norway's: https://download.geofabrik.de/europe/norway.html)",
        ));
    };
    let shown = source.display().to_string();
    let source = std::fs::canonicalize(source)
        .map_err(|e| ctx.error(&shown, format!("cannot open the extract: {e}")))?;
    let (bytes, sha256) = digest(&source).map_err(|e| ctx.error(&shown, e))?;
    check_header(&source).map_err(|e| ctx.error(&shown, e))?;
    let to = ctx.staging.join(FILE);
    link_or_copy(&source, &to).map_err(|e| ctx.error(&shown, e))?;
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
        notes: vec![format!(
            "{shown}: cut to the kommune's polygon and {} m around it when imported",
            crate::import::clip::DEFAULT_BUFFER_M
        )],
    })
}

fn digest(path: &Path) -> Result<(u64, String), String> {
    use sha2::Digest;
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| format!("cannot read: {e}"))?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((bytes, super::http::hex(&hasher.finalize())))
}

/// That the file starts as an OSM PBF does.
fn check_header(path: &Path) -> Result<(), String> {
    let mut blobs = osmpbf::BlobReader::from_path(path).map_err(|e| format!("cannot read: {e}"))?;
    match blobs.next() {
        Some(Ok(blob)) if matches!(blob.get_type(), osmpbf::BlobType::OsmHeader) => Ok(()),
        _ => Err("not an OSM PBF file (it does not begin with an OSM header)".into()),
    }
}

fn link_or_copy(from: &Path, to: &Path) -> Result<(), String> {
    #[cfg(unix)]
    if std::os::unix::fs::symlink(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("cannot copy into the folder: {e}"))
}
