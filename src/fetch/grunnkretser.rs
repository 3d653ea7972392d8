//! Grunnkretser (dataset "Statistiske enheter grunnkretser", metadataUuid
//! `51d279f8-e2be-4f5e-9f72-1a53f7535ec1`) through Geonorge's download API: the areas
//! offered (`GET {base}/codelists/area/{uuid}`; projections→formats or formats→projections),
//! an order for the kommune as GeoJSON in the best CRS offered (`POST {base}/order`),
//! polled (`GET {base}/order/{ref}`) until every file is `ReadyForDownload`, then
//! downloaded; a link that is gone (410, links are short-lived) is ordered again once.
//! When no kommune area is offered, the national file is ordered and filtered by
//! `kommunenummer`. Names of delområder from SSB Klass classification 1
//! (`GET {klass}/classifications/1/codesAt.json?date=…`).
//!
//! Written as `grunnkretser.geojson` in lon/lat: `objtype` Grunnkrets features only (the
//! boundary lines in the file are skipped), with `grunnkretsnummer`, `grunnkretsnavn`,
//! `delomradenummer` (its first 6 digits) and `delomradenavn`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::http::Validators;
use super::{Ctx, FetchError, Fetched};
use crate::import::projection::UtmToWgs84;

pub const FILE: &str = "grunnkretser.geojson";
pub const DATASET: &str = "51d279f8-e2be-4f5e-9f72-1a53f7535ec1";

/// The CRS codes the projection code reads, best first after the local zone.
const CRS_PREFERENCE: [u32; 4] = [25833, 25832, 25835, 4258];

/// Whether an area entry offers GeoJSON in `code`, in either nesting.
fn offers(area: &Value, code: u32) -> bool {
    let code = code.to_string();
    let is_code = |p: &Value| p["code"].as_str() == Some(code.as_str());
    let geojson = |f: &Value| {
        f["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case("GeoJSON"))
    };
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    list(&area["projections"])
        .iter()
        .any(|p| is_code(p) && list(&p["formats"]).iter().any(geojson))
        || list(&area["formats"])
            .iter()
            .any(|f| geojson(f) && list(&f["projections"]).iter().any(is_code))
}

/// The area to order (the kommune's, else the whole country's) and its best CRS.
pub(crate) fn choose_area(areas: &[Value], knr: &str, local: u32) -> Option<(Value, u32)> {
    let pick = |kind: &str, code: Option<&str>| {
        areas.iter().find_map(|a| {
            let fits = a["type"].as_str() == Some(kind)
                && code.is_none_or(|c| a["code"].as_str() == Some(c));
            if !fits {
                return None;
            }
            std::iter::once(local)
                .chain(CRS_PREFERENCE)
                .find(|&crs| offers(a, crs))
                .map(|crs| (a.clone(), crs))
        })
    };
    pick("kommune", Some(knr)).or_else(|| pick("landsdekkende", None))
}

pub(crate) async fn fetch(ctx: &Ctx<'_>) -> Result<Fetched, FetchError> {
    let knr = &ctx.opts.kommune;
    let base = &ctx.opts.endpoints.geonorge_download;
    let areas_url = format!("{base}/codelists/area/{DATASET}");
    let areas: Vec<Value> = ctx.http.get_json(ctx.source, &areas_url, &[]).await?;
    let local = super::kommune::centre_lon(&ctx.opts.out)
        .map(super::addresses::local_utm)
        .unwrap_or(25833);
    let (area, crs) = choose_area(&areas, knr, local).ok_or_else(|| {
        ctx.error(
            &areas_url,
            format!("no GeoJSON offered for kommune {knr} nor the whole country"),
        )
    })?;
    let national = area["type"].as_str() == Some("landsdekkende");
    let mut urls = vec![areas_url];
    let mut notes = Vec::new();
    if national {
        notes.push(format!(
            "no file for kommune {knr}: the national file, filtered"
        ));
    }
    let order = json!({
        "email": "",
        "orderLines": [{
            "metadataUuid": DATASET,
            "areas": [{ "code": area["code"], "type": area["type"], "name": area["name"] }],
            "projections": [{ "code": crs.to_string(), "codespace": format!("http://www.opengis.net/def/crs/EPSG/0/{crs}") }],
            "formats": [{ "name": "GeoJSON" }],
        }],
    });
    let zip_path = ctx.cache.join("grunnkretser.zip");
    let mut ordered_again = false;
    let downloaded = loop {
        let ready = order_and_wait(ctx, base, &order, &mut urls).await?;
        match ctx
            .http
            .download(ctx.source, &ready, &zip_path, None::<&Validators>)
            .await
        {
            Ok(d) => break d,
            Err(e) if !ordered_again && e.reason.contains("410") => {
                notes.push("the download link had expired: ordered again".into());
                ordered_again = true;
            }
            Err(e) => return Err(e),
        }
    };
    let _ = downloaded;
    let collection = unzip_geojson(&zip_path).map_err(|r| ctx.error(&urls[urls.len() - 1], r))?;
    let names = delomrade_names(ctx, knr, &mut urls).await?;
    let features = grunnkrets_features(&collection, knr, crs, &names)
        .map_err(|r| ctx.error(&urls[urls.len() - 1], r))?;
    if features.is_empty() {
        return Err(ctx.error(
            &urls[urls.len() - 1],
            format!("no grunnkrets of kommune {knr} in the file"),
        ));
    }
    notes.push(format!("{} grunnkretser (EPSG:{crs})", features.len()));
    let out = json!({ "type": "FeatureCollection", "features": features });
    let file = ctx.write(FILE, out.to_string().as_bytes(), &urls[urls.len() - 1])?;
    Ok(Fetched {
        files: vec![file],
        urls,
        notes,
    })
}

/// Orders, then polls until every file is ready; the download URL of the first file.
async fn order_and_wait(
    ctx: &Ctx<'_>,
    base: &str,
    order: &Value,
    urls: &mut Vec<String>,
) -> Result<String, FetchError> {
    let order_url = format!("{base}/order");
    let mut answer: Value = ctx.http.post_json(ctx.source, &order_url, order).await?;
    urls.push(order_url.clone());
    let reference = answer["referenceNumber"]
        .as_str()
        .ok_or_else(|| ctx.error(&order_url, "the order's answer has no `referenceNumber`"))?
        .to_string();
    let poll_url = format!("{base}/order/{reference}");
    let started = Instant::now();
    let mut pause = ctx.opts.poll_interval;
    loop {
        let files = answer["files"].as_array().cloned().unwrap_or_default();
        if files.is_empty() {
            return Err(ctx.error(&poll_url, "the order holds no files"));
        }
        let ready = files
            .iter()
            .all(|f| f["status"].as_str() == Some("ReadyForDownload"));
        if ready {
            return files[0]["downloadUrl"]
                .as_str()
                .filter(|u| !u.is_empty())
                .map(str::to_string)
                .ok_or_else(|| ctx.error(&poll_url, "a ready file without `downloadUrl`"));
        }
        if let Some(bad) = files.iter().find_map(|f| {
            let s = f["status"].as_str().unwrap_or_default();
            (s.contains("Error") || s.contains("Fail")).then(|| s.to_string())
        }) {
            return Err(ctx.error(&poll_url, format!("the order failed: {bad}")));
        }
        if started.elapsed() > ctx.opts.poll_timeout {
            return Err(ctx.error(
                &poll_url,
                format!(
                    "the order was not ready after {} s",
                    ctx.opts.poll_timeout.as_secs()
                ),
            ));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(30));
        answer = ctx.http.get_json(ctx.source, &poll_url, &[]).await?;
        if !urls.contains(&poll_url) {
            urls.push(poll_url.clone());
        }
    }
}

/// The zip's GeoJSON member, parsed.
fn unzip_geojson(path: &std::path::Path) -> Result<Value, String> {
    let (member, bytes) = super::unzip(path, "GeoJSON", |names| {
        names
            .iter()
            .find(|n| {
                let n = n.to_lowercase();
                n.ends_with(".geojson") || n.ends_with(".json")
            })
            .cloned()
    })?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{member} is not JSON: {e}"))
}

/// Delområde code → name from SSB Klass (today's version).
async fn delomrade_names(
    ctx: &Ctx<'_>,
    knr: &str,
    urls: &mut Vec<String>,
) -> Result<std::collections::HashMap<String, String>, FetchError> {
    let today = crate::domain::activity::today(jiff::Timestamp::now());
    let url = format!(
        "{}/classifications/1/codesAt.json?date={today}",
        ctx.opts.endpoints.klass
    );
    let v: Value = ctx.http.get_json(ctx.source, &url, &[]).await?;
    urls.push(url.clone());
    let codes = v["codes"]
        .as_array()
        .ok_or_else(|| ctx.error(&url, "no `codes` array: has the format changed?"))?;
    // Delområder are the 8-digit codes ending in 00 (level 1); grunnkretser are level 2.
    Ok(codes
        .iter()
        .filter_map(|c| {
            let code = c["code"].as_str()?;
            (code.starts_with(knr) && code.len() == 8 && code.ends_with("00")).then(|| {
                (
                    code[..6].to_string(),
                    c["name"].as_str().unwrap_or_default().to_string(),
                )
            })
        })
        .collect())
}

/// The kommune's Grunnkrets polygons in lon/lat with their delområde.
fn grunnkrets_features(
    collection: &Value,
    knr: &str,
    crs: u32,
    names: &std::collections::HashMap<String, String>,
) -> Result<Vec<Value>, String> {
    // The file's own `crs` wins over what was ordered: `EPSG:25832` or the URN form.
    let declared = collection["crs"]["properties"]["name"]
        .as_str()
        .and_then(|n| n.rsplit(':').next())
        .and_then(|c| c.parse::<u32>().ok())
        .unwrap_or(crs);
    let projection = UtmToWgs84::new();
    let to_lonlat = |c: &Value| -> Result<Value, String> {
        let (x, y) = (c[0].as_f64(), c[1].as_f64());
        let (Some(x), Some(y)) = (x, y) else {
            return Err("a coordinate that is not two numbers".into());
        };
        let p = projection.to_lonlat(declared, x, y)?.rounded();
        Ok(json!([p.lon, p.lat]))
    };
    let ring = |r: &Value| -> Result<Value, String> {
        r.as_array()
            .ok_or("a ring that is not an array")?
            .iter()
            .map(to_lonlat)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::from)
    };
    let polygon = |p: &Value| -> Result<Value, String> {
        p.as_array()
            .ok_or("a polygon that is not an array")?
            .iter()
            .map(ring)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::from)
    };
    let features = collection["features"]
        .as_array()
        .ok_or("no `features`: not a GeoJSON FeatureCollection")?;
    let mut out = Vec::new();
    for f in features {
        let p = &f["properties"];
        if p["objtype"].as_str() != Some("Grunnkrets") {
            continue;
        }
        let code = p["grunnkretsnummer"]
            .as_str()
            .map(str::to_string)
            .or_else(|| p["grunnkretsnummer"].as_u64().map(|n| format!("{n:08}")))
            .ok_or("a Grunnkrets without `grunnkretsnummer`")?;
        if !code.starts_with(knr) {
            continue;
        }
        let geometry = match f["geometry"]["type"].as_str() {
            Some("Polygon") => {
                json!({ "type": "Polygon", "coordinates": polygon(&f["geometry"]["coordinates"])? })
            }
            Some("MultiPolygon") => json!({
                "type": "MultiPolygon",
                "coordinates": f["geometry"]["coordinates"].as_array().ok_or("a MultiPolygon that is not an array")?
                    .iter().map(&polygon).collect::<Result<Vec<_>, _>>()?,
            }),
            other => {
                return Err(format!(
                    "grunnkrets {code}: geometry {other:?}, not a polygon"
                ));
            }
        };
        let delomrade = code[..6.min(code.len())].to_string();
        out.push(json!({
            "type": "Feature",
            "id": code,
            "geometry": geometry,
            "properties": {
                "grunnkretsnummer": code,
                "grunnkretsnavn": p["grunnkretsnavn"],
                "delomradenummer": delomrade,
                "delomradenavn": names.get(&delomrade),
            },
        }));
    }
    Ok(out)
}
