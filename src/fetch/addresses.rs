//! Matrikkelen addresses: the kommune's zipped CSV, found in Geonorge's ATOM feed (the
//! file names embed a place name, so they are never built by hand). The entry chosen is the
//! kommune's (its number in the title or the file name `Basisdata_{knr}_…`) in the local
//! UTM zone, else EPSG:25833, else EPSG:4258 — all read by the address importer. The
//! link's `type` says GML for every file: the file name is trusted instead. The zip is
//! cached (resumed, asked for conditionally) and its CSV member written as `adresser.csv`.

use super::http::Validators;
use super::{Ctx, FetchError, Fetched};

pub const FILE: &str = "adresser.csv";

/// One file the feed offers.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FeedEntry {
    pub title: String,
    pub href: String,
    /// From `<category term="EPSG:25833">`.
    pub epsg: Option<u32>,
    pub updated: Option<String>,
}

/// The feed's entries; an XML that is not an Atom feed is an error naming what is missing.
pub(crate) fn parse_feed(xml: &str) -> Result<Vec<FeedEntry>, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| format!("not XML: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "feed" {
        return Err(format!(
            "not an Atom feed: the root element is <{}>",
            root.tag_name().name()
        ));
    }
    let child_text = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.tag_name().name() == name)
            .and_then(|c| c.text())
            .map(|t| t.trim().to_string())
    };
    let mut out = Vec::new();
    for entry in root.children().filter(|n| n.tag_name().name() == "entry") {
        let Some(href) = entry
            .children()
            .filter(|c| c.tag_name().name() == "link")
            .find(|c| c.attribute("rel").is_none_or(|r| r == "alternate"))
            .and_then(|c| c.attribute("href"))
        else {
            continue;
        };
        let epsg = entry
            .children()
            .filter(|c| c.tag_name().name() == "category")
            .filter_map(|c| c.attribute("term"))
            .find_map(|t| t.strip_prefix("EPSG:").and_then(|c| c.parse().ok()));
        out.push(FeedEntry {
            title: child_text(entry, "title").unwrap_or_default(),
            href: href.trim().to_string(),
            epsg,
            updated: child_text(entry, "updated"),
        });
    }
    if out.is_empty() {
        return Err("the feed has no entries with a link".into());
    }
    Ok(out)
}

/// The UTM zone's EPSG code (ETRS89) at a longitude: 258 and the zone.
pub(crate) fn local_utm(lon: f64) -> u32 {
    25800 + (((lon + 180.0) / 6.0).floor() as u32 + 1)
}

/// The kommune's entry in the best CRS: `local` (its UTM zone), 25833, then 4258.
pub(crate) fn choose<'a>(entries: &'a [FeedEntry], knr: &str, local: u32) -> Option<&'a FeedEntry> {
    let file_name = |e: &FeedEntry| e.href.rsplit('/').next().unwrap_or_default().to_string();
    let is_kommune = |e: &&FeedEntry| {
        file_name(e).starts_with(&format!("Basisdata_{knr}_"))
            || e.title
                .split(|c: char| !c.is_ascii_digit())
                .any(|w| w == knr)
    };
    let is_csv = |e: &&FeedEntry| file_name(e).to_lowercase().ends_with("_csv.zip");
    let mine: Vec<&FeedEntry> = entries.iter().filter(is_kommune).filter(is_csv).collect();
    [local, 25833, 4258]
        .into_iter()
        .find_map(|code| mine.iter().find(|e| e.epsg == Some(code)).copied())
}

pub(crate) async fn fetch(ctx: &Ctx<'_>) -> Result<Fetched, FetchError> {
    let knr = &ctx.opts.kommune;
    let feed_url = &ctx.opts.endpoints.address_feed;
    let xml = ctx.http.get_bytes(ctx.source, feed_url, &[]).await?;
    let xml = String::from_utf8(xml).map_err(|_| ctx.error(feed_url, "the feed is not UTF-8"))?;
    let entries = parse_feed(&xml).map_err(|r| ctx.error(feed_url, r))?;
    let lon = super::kommune::centre_lon(&ctx.opts.out).unwrap_or(10.0);
    let local = local_utm(lon);
    let entry = choose(&entries, knr, local).ok_or_else(|| {
        ctx.error(
            feed_url,
            format!(
                "the feed has no CSV file for kommune {knr} in EPSG:{local}, 25833 or 4258 \
                 ({} entries read)",
                entries.len()
            ),
        )
    })?;
    let name = entry.href.rsplit('/').next().unwrap_or("addresses.zip");
    let zip_path = ctx.cache.join(name);
    let earlier = ctx
        .earlier
        .and_then(|e| e.files.iter().find(|f| f.name == FILE))
        .filter(|f| f.url == entry.href)
        .map(|f| Validators {
            etag: f.etag.clone(),
            last_modified: f.last_modified.clone(),
            // The manifest's hash is the unzipped file's, not the zip's.
            content: None,
        });
    let got = ctx
        .http
        .download(ctx.source, &entry.href, &zip_path, earlier.as_ref())
        .await?;
    let csv = unzip_csv(&zip_path).map_err(|r| {
        // A damaged zip is not kept: the next run downloads it again.
        let _ = std::fs::remove_file(&zip_path);
        ctx.error(&entry.href, r)
    })?;
    let mut file = ctx.write(FILE, &csv, &entry.href)?;
    file.etag = got.etag;
    file.last_modified = got.last_modified;
    let mut notes = vec![format!(
        "{name}: EPSG:{}, {} lines{}",
        entry.epsg.unwrap_or_default(),
        csv.split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .count()
            .saturating_sub(1),
        if got.not_modified {
            ", unchanged since the last fetch"
        } else {
            ""
        }
    )];
    if entry.epsg != Some(local) {
        notes.push(format!(
            "no file in the local zone EPSG:{local}: took EPSG:{}",
            entry.epsg.unwrap_or_default()
        ));
    }
    Ok(Fetched {
        files: vec![file],
        urls: vec![feed_url.clone(), entry.href.clone()],
        notes,
    })
}

/// The zip's one `…MatrikkelenAdresse….csv` member (the national zip names it otherwise:
/// any single `.csv`).
fn unzip_csv(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let is_csv = |n: &String| n.to_lowercase().ends_with(".csv");
    let (member, out) = super::unzip(path, "address CSV", |names| {
        names
            .iter()
            .find(|n| n.contains("MatrikkelenAdresse") && is_csv(n))
            .or_else(|| {
                let csvs: Vec<&String> = names.iter().filter(|n| is_csv(n)).collect();
                (csvs.len() == 1).then(|| csvs[0])
            })
            .cloned()
    })?;
    if !out.starts_with(b"\xEF\xBB\xBFlokalid") && !out.starts_with(b"lokalid") {
        return Err(format!(
            "{member} does not start with Kartverket's header (lokalid;kommunenummer;…): has the format changed?"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(href: &str, epsg: u32, title: &str) -> FeedEntry {
        FeedEntry {
            title: title.into(),
            href: href.into(),
            epsg: Some(epsg),
            updated: None,
        }
    }

    #[test]
    fn the_kommunes_file_in_its_own_zone_first() {
        let entries = vec![
            entry(
                "x/Basisdata_0000_Norge_25833_MatrikkelenAdresse_CSV.zip",
                25833,
                "CSV-format, Landsdekkende",
            ),
            entry(
                "x/Basisdata_3301_Drammen_4258_MatrikkelenAdresse_CSV.zip",
                4258,
                "CSV-format,  3301, Drammen",
            ),
            entry(
                "x/Basisdata_3301_Drammen_25833_MatrikkelenAdresse_CSV.zip",
                25833,
                "CSV-format,  3301, Drammen",
            ),
            entry(
                "x/Basisdata_3301_Drammen_25832_MatrikkelenAdresse_CSV.zip",
                25832,
                "CSV-format,  3301, Drammen",
            ),
            entry(
                "x/Basisdata_33011_Foo_25832_MatrikkelenAdresse_CSV.zip",
                25832,
                "x",
            ),
        ];
        assert_eq!(local_utm(10.2), 25832);
        assert_eq!(local_utm(11.5), 25832);
        assert_eq!(local_utm(12.1), 25833);
        assert_eq!(local_utm(25.0), 25835);
        assert_eq!(choose(&entries, "3301", 25832).unwrap().epsg, Some(25832));
        assert_eq!(
            choose(&entries[..3], "3301", 25832).unwrap().epsg,
            Some(25833)
        );
        assert_eq!(
            choose(&entries[..2], "3301", 25832).unwrap().epsg,
            Some(4258)
        );
        assert!(choose(&entries, "3420", 25833).is_none());
    }
}
