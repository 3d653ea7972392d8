//! Vector tiles: decoded with a small decoder written here from the MVT 2.1 spec, and
//! compared with what the snapshot holds in each tile.

use std::collections::{BTreeSet, HashMap};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use naermiljo::domain::LonLat;
use naermiljo::http::AppState;
use proptest::prelude::*;
use tower::ServiceExt;

use crate::common::{TestStore, assert_problem, get};

async fn fixture() -> &'static (TestStore, AppState) {
    crate::common::oslo().await
}

// --- A minimal protobuf / MVT reader -------------------------------------------------------

struct Pb<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Pb<'a> {
    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.b[self.i];
            self.i += 1;
            v |= ((byte & 0x7f) as u64) << shift;
            if byte < 0x80 {
                break;
            }
        }
        v
    }
    /// (field number, wire type, payload for length-delimited fields, value for varints).
    fn next(&mut self) -> Option<(u64, u64, &'a [u8], u64)> {
        if self.i >= self.b.len() {
            return None;
        }
        let key = self.varint();
        let (field, wire) = (key >> 3, key & 7);
        match wire {
            0 => Some((field, wire, &[][..], self.varint())),
            2 => {
                let len = self.varint() as usize;
                let s = &self.b[self.i..self.i + len];
                self.i += len;
                Some((field, wire, s, 0))
            }
            5 => {
                self.i += 4;
                Some((field, wire, &[][..], 0))
            }
            1 => {
                self.i += 8;
                Some((field, wire, &[][..], 0))
            }
            w => panic!("unexpected wire type {w}"),
        }
    }
}

fn packed(b: &[u8]) -> Vec<u32> {
    let mut p = Pb { b, i: 0 };
    let mut out = Vec::new();
    while p.i < b.len() {
        out.push(p.varint() as u32);
    }
    out
}

#[derive(Debug)]
pub struct DecodedFeature {
    pub id: u64,
    pub geom_type: u64,
    /// Absolute tile coordinates of every vertex.
    pub points: Vec<(i64, i64)>,
    pub tags: HashMap<String, String>,
}

#[derive(Debug)]
pub struct DecodedLayer {
    pub name: String,
    pub extent: u64,
    pub features: Vec<DecodedFeature>,
}

pub fn decode(tile: &[u8]) -> Vec<DecodedLayer> {
    let mut layers = Vec::new();
    let mut t = Pb { b: tile, i: 0 };
    while let Some((field, _, payload, _)) = t.next() {
        assert_eq!(field, 3, "a tile holds only layers");
        let mut l = Pb { b: payload, i: 0 };
        let (mut name, mut extent, mut keys, mut values, mut raw) =
            (String::new(), 4096, vec![], vec![], vec![]);
        while let Some((f, _, p, v)) = l.next() {
            match f {
                1 => name = String::from_utf8(p.to_vec()).unwrap(),
                2 => raw.push(p),
                3 => keys.push(String::from_utf8(p.to_vec()).unwrap()),
                4 => {
                    let mut vp = Pb { b: p, i: 0 };
                    let (vf, _, vs, vv) = vp.next().unwrap();
                    values.push(if vf == 1 {
                        String::from_utf8(vs.to_vec()).unwrap()
                    } else {
                        vv.to_string()
                    });
                }
                5 => extent = v,
                15 => assert_eq!(v, 2, "MVT version 2"),
                _ => {}
            }
        }
        let features = raw
            .into_iter()
            .map(|p| {
                let mut fp = Pb { b: p, i: 0 };
                let (mut id, mut geom_type, mut tags, mut geometry) =
                    (0, 0, HashMap::new(), vec![]);
                while let Some((f, _, p, v)) = fp.next() {
                    match f {
                        1 => id = v,
                        2 => {
                            for kv in packed(p).chunks(2) {
                                tags.insert(
                                    keys[kv[0] as usize].clone(),
                                    values[kv[1] as usize].clone(),
                                );
                            }
                        }
                        3 => geom_type = v,
                        4 => geometry = packed(p),
                        _ => {}
                    }
                }
                let (mut points, mut cursor, mut k) = (vec![], (0i64, 0i64), 0);
                let zigzag = |v: u32| ((v >> 1) as i64) ^ -((v & 1) as i64);
                while k < geometry.len() {
                    let (cmd, count) = (geometry[k] & 7, geometry[k] >> 3);
                    k += 1;
                    if cmd == 7 {
                        continue; // ClosePath
                    }
                    for _ in 0..count {
                        cursor = (
                            cursor.0 + zigzag(geometry[k]),
                            cursor.1 + zigzag(geometry[k + 1]),
                        );
                        points.push(cursor);
                        k += 2;
                    }
                }
                DecodedFeature {
                    id,
                    geom_type,
                    points,
                    tags,
                }
            })
            .collect();
        layers.push(DecodedLayer {
            name,
            extent,
            features,
        });
    }
    layers
}

// --- Web Mercator, written again here so that the check does not use the code it checks ----

fn tile_coords(z: u32, x: u32, y: u32, p: LonLat) -> (f64, f64) {
    let n = 2f64.powi(z as i32);
    let fx = (p.lon + 180.0) / 360.0 * n;
    let fy = (1.0 - p.lat.to_radians().tan().asinh() / std::f64::consts::PI) / 2.0 * n;
    ((fx - x as f64) * 4096.0, (fy - y as f64) * 4096.0)
}

pub fn tile_of(z: u32, p: LonLat) -> (u32, u32) {
    let (x, y) = tile_coords(z, 0, 0, p);
    ((x / 4096.0).floor() as u32, (y / 4096.0).floor() as u32)
}

async fn fetch(
    state: &AppState,
    uri: &str,
    if_none_match: Option<&str>,
) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    match if_none_match {
        Some(tag) => fetch_with(state, uri, &[("if-none-match", tag)]).await,
        None => fetch_with(state, uri, &[]).await,
    }
}

/// One GET with the given request headers: status, headers and the raw body.
pub async fn fetch_with(
    state: &AppState,
    uri: &str,
    request_headers: &[(&str, &str)],
) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri).header("host", "test.local");
    for (k, v) in request_headers {
        req = req.header(*k, *v);
    }
    let r = naermiljo::http::router(state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    (
        status,
        headers,
        r.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn a_tile_holds_exactly_the_points_in_it(z in 12u32..=17, lon in 10.72f64..10.78, lat in 59.90f64..59.94) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        rt.block_on(async {
            let (_, state) = fixture().await;
            let s = state.snapshot.load();
            let (x, y) = tile_of(z, LonLat::new(lon, lat));
            for (layer, points) in [
                ("facilities", s.facilities.iter().map(|f| (f.id, f.position)).collect::<Vec<_>>()),
                ("addresses", s.addresses.iter().map(|a| (a.id, a.position)).collect()),
            ] {
                let want: BTreeSet<u64> = points
                    .iter()
                    .filter(|(_, p)| tile_of(z, *p) == (x, y) && (layer != "addresses" || z >= 15))
                    .map(|(id, _)| *id as u64)
                    .collect();
                let (status, headers, body) = fetch(state, &format!("/tiles/{layer}/{z}/{x}/{y}.mvt"), None).await;
                if want.is_empty() {
                    assert_eq!(status, 204, "{layer} {z}/{x}/{y}");
                    continue;
                }
                assert_eq!(status, 200);
                assert_eq!(headers["content-type"], "application/vnd.mapbox-vector-tile");
                let layers = decode(&body);
                assert_eq!(layers.len(), 1);
                assert_eq!((layers[0].name.as_str(), layers[0].extent), (layer, 4096));
                let got: BTreeSet<u64> = layers[0].features.iter().map(|f| f.id).collect();
                assert_eq!(got, want, "{layer} {z}/{x}/{y}");
                // Tile-local coordinates, to the unit.
                let by_id: HashMap<i64, LonLat> = points.iter().copied().collect();
                for f in &layers[0].features {
                    assert_eq!((f.geom_type, f.points.len()), (1, 1));
                    let (ex, ey) = tile_coords(z, x, y, by_id[&(f.id as i64)]);
                    let (gx, gy) = f.points[0];
                    assert!((gx as f64 - ex).abs() <= 0.5 + 1e-9 && (gy as f64 - ey).abs() <= 0.5 + 1e-9, "{gx},{gy} vs {ex},{ey}");
                }
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tiles_carry_properties_etags_and_say_when_empty() {
    let (_, state) = fixture().await;
    let s = state.snapshot.load();
    let school = s
        .facilities
        .iter()
        .find(|f| f.kind.as_str() == "school" && f.name.is_some())
        .unwrap();
    let (x, y) = tile_of(15, school.position);
    let uri = format!("/tiles/facilities/15/{x}/{y}.mvt");
    let (status, headers, body) = fetch(state, &uri, None).await;
    assert_eq!(status, 200);
    let f = decode(&body)
        .remove(0)
        .features
        .into_iter()
        .find(|f| f.id == school.id as u64)
        .unwrap();
    assert_eq!(f.tags["name"], *school.name.as_ref().unwrap());
    assert_eq!(
        (f.tags["kind"].as_str(), f.tags["kind_label_nb"].as_str()),
        ("school", "Skole")
    );
    assert!(f.tags.contains_key("district"));
    let etag = headers["etag"].to_str().unwrap().to_string();
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let (status, _, body) = fetch(state, &uri, Some(&etag)).await;
    assert_eq!((status, body.len()), (304, 0));
    // The middle of the Atlantic: nothing there.
    assert_eq!(
        fetch(state, "/tiles/facilities/10/400/400.mvt", None)
            .await
            .0,
        204
    );
    // Addresses only from zoom 15.
    let (ax, ay) = tile_of(14, s.addresses[0].position);
    assert_eq!(
        fetch(state, &format!("/tiles/addresses/14/{ax}/{ay}.mvt"), None)
            .await
            .0,
        204
    );
    // Districts (derived from postcodes here) are polygons, clipped near the tile.
    let (dx, dy) = tile_of(14, s.addresses[0].position);
    let (status, _, body) = fetch(state, &format!("/tiles/districts/14/{dx}/{dy}.mvt"), None).await;
    assert_eq!(status, 200);
    let districts = decode(&body).remove(0);
    assert!(!districts.features.is_empty());
    for f in &districts.features {
        assert_eq!(f.geom_type, 3);
        assert!(
            f.points
                .iter()
                .all(|(x, y)| (-64..=4160).contains(x) && (-64..=4160).contains(y)),
            "clipped to the buffer"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tilejson_and_bad_tile_requests() {
    let (_, state) = fixture().await;
    let tj = get(state, "/tiles/addresses.json").await;
    assert_eq!(tj.status, 200);
    assert_eq!(tj.body["tilejson"], "3.0.0");
    assert_eq!(tj.body["minzoom"], 15);
    assert_eq!(
        tj.body["tiles"][0],
        "http://test.local/tiles/addresses/{z}/{x}/{y}.mvt"
    );
    assert_eq!(tj.body["vector_layers"][0]["id"], "addresses");
    // Each layer's bounds are its own features' extent (issue 21 item 5).
    let s = state.snapshot.load();
    let homes = naermiljo::domain::Bbox::around(s.addresses.iter().map(|a| a.position)).unwrap();
    assert_eq!(tj.body["bounds"], serde_json::json!(homes.as_array()));
    let districts = get(state, "/tiles/districts.json").await;
    assert_eq!(
        districts.body["bounds"],
        serde_json::json!(s.districts_extent().unwrap().as_array())
    );
    assert_ne!(districts.body["bounds"], tj.body["bounds"]);
    assert!(
        tj.body["attribution"]
            .as_str()
            .unwrap()
            .contains("OpenStreetMap")
    );
    for (uri, status) in [
        ("/tiles/castles.json", 404),
        ("/tiles/castles/1/0/0.mvt", 404),
        ("/tiles/facilities/23/0/0.mvt", 400),
        ("/tiles/facilities/-1/0/0.mvt", 400),
        ("/tiles/facilities/2/4/0.mvt", 400),
        ("/tiles/facilities/2/0/4.mvt", 400),
        ("/tiles/facilities/a/0/0.mvt", 400),
        ("/tiles/facilities/2/0/0.png", 404),
        ("/tiles/facilities/99999999999999999999/0/0.mvt", 400),
    ] {
        assert_problem(&get(state, uri).await, status);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn coverage_hexagons_count_the_homes_in_them() {
    let (_, state) = fixture().await;
    let s = state.snapshot.load();
    let kinds = naermiljo::domain::KindFilter::parse("school").unwrap();
    let times =
        naermiljo::coverage::address_times(&s, &kinds, naermiljo::routing::Profile::Walk, &[], &[])
            .unwrap();
    for (z, res) in [(14u32, h3o::Resolution::Nine), (12, h3o::Resolution::Eight)] {
        let (x, y) = tile_of(z, LonLat::new(10.7525, 59.9225));
        let (status, headers, body) = fetch(
            state,
            &format!("/tiles/coverage/{z}/{x}/{y}.mvt?kind=school&minutes=10"),
            None,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(
            headers["content-type"],
            "application/vnd.mapbox-vector-tile"
        );
        let layers = decode(&body);
        assert_eq!(layers[0].name, "coverage");
        assert!(!layers[0].features.is_empty());
        for f in &layers[0].features {
            let cell: h3o::CellIndex = f.tags["h3"].parse().unwrap();
            assert_eq!(cell.resolution(), res);
            let mine: Vec<usize> = (0..s.addresses.len())
                .filter(|&i| {
                    let p = s.addresses[i].position;
                    h3o::LatLng::new(p.lat, p.lon).unwrap().to_cell(res) == cell
                })
                .collect();
            assert_eq!(f.tags["addresses"], mine.len().to_string(), "{cell}");
            let covered = mine.iter().filter(|&&i| times[i] <= 600.0).count();
            assert_eq!(f.tags["covered"], covered.to_string(), "{cell}");
            assert_eq!(f.tags["uncovered"], (mine.len() - covered).to_string());
        }
    }
    let r = get(state, "/tiles/coverage/14/8680/4765.mvt").await;
    assert_problem(&r, 400);
    let r = get(state, "/tiles/coverage/14/8680/4765.mvt?kind=castle").await;
    assert_problem(&r, 400);
    let tj = get(state, "/tiles/coverage.json?kind=school&minutes=10").await;
    assert_eq!(tj.status, 200);
    assert!(
        tj.body["tiles"][0]
            .as_str()
            .unwrap()
            .ends_with("/tiles/coverage/{z}/{x}/{y}.mvt?kind=school&minutes=10")
    );
}
