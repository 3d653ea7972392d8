//! The basemap: built from the real Oslo extract by the CLI, opened with the pmtiles crate,
//! tiles decoded with the suite's own MVT decoder, and served over HTTP.

use std::collections::BTreeSet;

use naermiljo::domain::LonLat;
use pmtiles::{AsyncPmTilesReader, TileCoord};

use crate::common::{TestStore, assert_problem, naermiljo, oslo_pbf, run_ok};
use crate::tiles::{decode, tile_of};

/// Akerselva at Grünerløkka: a named river with named streets on both banks.
const AKERSELVA: LonLat = LonLat {
    lon: 10.7525,
    lat: 59.9225,
};

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

async fn build(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("basemap.pmtiles");
    let mut c = naermiljo(dir);
    c.arg("--basemap")
        .arg(&path)
        .arg("build-basemap")
        .arg(oslo_pbf());
    let said = run_ok(c);
    assert!(said.contains("basemap:"), "{said}");
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn basemap_archive_holds_roads_water_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path()).await;
    let reader = AsyncPmTilesReader::new_with_path(&path).await.unwrap();
    let h = reader.get_header();
    assert_eq!((h.min_zoom, h.max_zoom), (10, 16));
    assert!(h.min_longitude >= 10.6 && h.max_longitude <= 10.9, "{h:?}");

    let (x, y) = tile_of(14, AKERSELVA);
    let bytes = reader
        .get_tile_decompressed(TileCoord::new(14, x, y).unwrap())
        .await
        .unwrap()
        .expect("a tile over Akerselva");
    let layers = decode(&bytes);
    let names = |layer: &str| -> BTreeSet<String> {
        layers
            .iter()
            .filter(|l| l.name == layer)
            .flat_map(|l| l.features.iter())
            .filter_map(|f| f.tags.get("name").cloned())
            .collect()
    };
    let roads = names("road");
    assert!(roads.len() >= 5, "few named roads: {roads:?}");
    let water: BTreeSet<String> = names("water")
        .into_iter()
        .chain(names("waterway"))
        .collect();
    assert!(water.contains("Akerselva"), "water names: {water:?}");
    assert!(
        layers.iter().any(|l| l.name == "building"),
        "buildings at zoom 14"
    );
    for l in &layers {
        assert_eq!(l.extent, 4096);
        for f in &l.features {
            // Geometry stays within the tile and its 64-unit buffer.
            for &(px, py) in &f.points {
                assert!(
                    (-64..=4160).contains(&px) && (-64..=4160).contains(&py),
                    "{px},{py} in {}",
                    l.name
                );
            }
        }
    }
    let classes: BTreeSet<&str> = layers
        .iter()
        .filter(|l| l.name == "road")
        .flat_map(|l| l.features.iter())
        .map(|f| f.tags["class"].as_str())
        .collect();
    assert!(
        classes.contains("minor") && classes.contains("path"),
        "{classes:?}"
    );

    // The sea (from coastlines: OSM has no sea polygons) in the harbour, not inland.
    let classes_at = |p: LonLat| {
        let reader = &reader;
        async move {
            let (x, y) = tile_of(14, p);
            let bytes = reader
                .get_tile_decompressed(TileCoord::new(14, x, y).unwrap())
                .await
                .unwrap()
                .unwrap_or_default();
            decode(&bytes)
                .into_iter()
                .filter(|l| l.name == "water")
                .flat_map(|l| l.features.into_iter().map(|f| f.tags["class"].clone()))
                .collect::<BTreeSet<String>>()
        }
    };
    let pipervika = LonLat {
        lon: 10.7305,
        lat: 59.9085,
    };
    assert!(
        classes_at(pipervika).await.contains("sea"),
        "no sea in Pipervika"
    );
    assert!(
        !classes_at(AKERSELVA).await.contains("sea"),
        "sea at Grünerløkka"
    );

    // Zoom 10: one tile for the whole extract, main roads only, no houses.
    let (x, y) = tile_of(10, AKERSELVA);
    let low = decode(
        &reader
            .get_tile_decompressed(TileCoord::new(10, x, y).unwrap())
            .await
            .unwrap()
            .expect("a zoom-10 tile"),
    );
    assert!(low.iter().all(|l| l.name != "building"));
    let low_classes: BTreeSet<&str> = low
        .iter()
        .filter(|l| l.name == "road")
        .flat_map(|l| l.features.iter())
        .map(|f| f.tags["class"].as_str())
        .collect();
    assert!(
        !low_classes.is_empty() && !low_classes.contains("path") && !low_classes.contains("minor"),
        "{low_classes:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn basemap_is_served_gzipped_with_etag_and_clear_errors() {
    let t = TestStore::new().await;
    // Without an archive: a problem that says how to build one.
    let state = t.state().await;
    let r = crate::common::get(&state, "/tiles/basemap.json").await;
    let detail = assert_problem(&r, 404);
    assert!(detail.contains("build-basemap"), "{detail}");

    build(t.dir.path()).await;
    let state = t.state().await;
    let r = crate::common::get(&state, "/tiles/basemap.json").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let tj = r.body;
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(tj["maxzoom"], 16);
    assert!(
        tj["attribution"]
            .as_str()
            .unwrap()
            .contains("OpenStreetMap")
    );
    let layers: BTreeSet<&str> = tj["vector_layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    for l in ["water", "road", "building", "place", "landuse"] {
        assert!(layers.contains(l), "{layers:?}");
    }

    let (x, y) = tile_of(15, AKERSELVA);
    let uri = format!("/tiles/basemap/15/{x}/{y}.mvt");
    let (status, headers, body) =
        crate::tiles::fetch_with(&state, &uri, &[("accept-encoding", "gzip")]).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-encoding"], "gzip");
    assert_eq!(
        headers["content-type"],
        "application/vnd.mapbox-vector-tile"
    );
    let layers = decode(&gunzip(&body));
    assert!(layers.iter().any(|l| l.name == "road"));
    let etag = headers["etag"].to_str().unwrap().to_string();
    let (status, _, _) = crate::tiles::fetch_with(&state, &uri, &[("if-none-match", &etag)]).await;
    assert_eq!(status, 304);
    // A client without gzip gets the plain tile.
    let (status, headers, plain) = crate::tiles::fetch_with(&state, &uri, &[]).await;
    assert_eq!(status, 200);
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(plain, gunzip(&body));

    assert_problem(
        &crate::common::get(&state, "/tiles/basemap/17/0/0.mvt").await,
        404,
    );
    assert_problem(
        &crate::common::get(&state, "/tiles/basemap/14/99999/0.mvt").await,
        400,
    );
    // Outside the extract: nothing there, said with 204.
    let (status, _, _) = crate::tiles::fetch_with(&state, "/tiles/basemap/12/0/0.mvt", &[]).await;
    assert_eq!(status, 204);
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_styles_and_fonts_come_from_this_server() {
    let t = TestStore::new().await;
    let state = t.state().await;
    for (uri, status) in [
        ("/styles/default.json", 200),
        ("/styles/high-contrast.json", 200),
        ("/styles/neon.json", 404),
        ("/styles/..%2Fsecret.json", 404),
        ("/static/node_modules/maplibre-gl/package.json", 404),
        ("/static/package.json", 404),
        ("/static/../Cargo.toml", 404),
    ] {
        let (got, headers, body) = crate::tiles::fetch_with(&state, uri, &[]).await;
        assert_eq!(got, status, "{uri}: {}", String::from_utf8_lossy(&body));
        if status == 200 {
            assert_eq!(headers["content-type"], "application/json");
            // Every URL in a style is this server's, as the client named it.
            let text = String::from_utf8(body).unwrap();
            assert!(!text.contains("{base}"), "{uri}");
            let style: serde_json::Value = serde_json::from_str(&text).unwrap();
            let mut urls = Vec::new();
            collect_urls(&style, &mut urls);
            assert!(!urls.is_empty());
            for u in urls {
                assert!(u.starts_with("http://test.local/"), "{uri} names {u}");
            }
        } else {
            assert_eq!(headers["content-type"], "application/problem+json", "{uri}");
        }
    }
    // The starting view is the data's, not Oslo's (issue 21 item 5): Elverum's addresses.
    t.import(crate::common::addresses(crate::common::elverum_csv()))
        .await
        .unwrap();
    let state = t.state().await;
    let (_, _, body) = crate::tiles::fetch_with(&state, "/styles/default.json", &[]).await;
    let style: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let [lon, lat] = [0, 1].map(|i| style["center"][i].as_f64().unwrap());
    assert!(
        (11.0..12.5).contains(&lon) && (60.6..61.3).contains(&lat),
        "Elverum, not Oslo: {lon}, {lat}"
    );
}

fn collect_urls(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if s.contains("://") || s.starts_with('/') => {
            out.push(s.clone())
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_urls(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_urls(x, out)),
        _ => {}
    }
}
