//! OGC API – Features Part 2 (CRS by reference), issue 17 item 1: the offered CRSs, `crs=`
//! in each CRS's axis order, `bbox-crs=`, `Content-Crs`; positions compared with PROJ's
//! `cs2cs` (Debian `proj-bin`), the independent oracle.

use axum::http::StatusCode;
use naermiljo::http::AppState;

use crate::common::{oslo, tool};

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

fn epsg(code: u32) -> String {
    format!("http://www.opengis.net/def/crs/EPSG/0/{code}")
}

/// GET `uri`: status, `Content-Crs`, JSON body.
async fn get(state: &AppState, uri: &str) -> (StatusCode, String, serde_json::Value) {
    let r = crate::common::get(state, uri).await;
    (r.status, r.header("content-crs").to_string(), r.body)
}

fn enc(s: &str) -> String {
    s.replace(':', "%3A").replace('/', "%2F")
}

/// `(id, [x, y])` of every point feature of a page.
fn points(page: &serde_json::Value) -> Vec<(i64, [f64; 2])> {
    page["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["geometry"]["type"] == "Point")
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            (
                f["id"].as_i64().unwrap(),
                [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()],
            )
        })
        .collect()
}

#[tokio::test]
async fn collections_offer_the_norwegian_crss_and_answer_in_them_as_proj_does() {
    let (_, state) = oslo().await;
    let (status, _, c) = get(state, "/api/collections/facilities").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(c["storageCrs"], CRS84);
    let offered: Vec<&str> = c["crs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for code in [4326, 4258, 25832, 25833, 25835, 3857] {
        assert!(
            offered.contains(&epsg(code).as_str()),
            "{code} not in {offered:?}"
        );
    }
    assert!(offered.contains(&CRS84));
    // Every collection, not only the three above.
    let (_, _, all) = get(state, "/api/collections").await;
    let all = all["collections"].as_array().unwrap();
    assert!(all.len() >= 8, "{all:?}");
    for c in all {
        assert_eq!(c["storageCrs"], CRS84, "{}", c["id"]);
        assert_eq!(c["crs"].as_array().unwrap().len(), 7, "{}", c["id"]);
        let id = c["id"].as_str().unwrap();
        if id == "addresses" {
            continue; // 13,000 items; the facilities' check covers the same code
        }
        let (status, crs, page) = get(
            state,
            &format!("/api/collections/{id}/items?limit=5&crs=%5BEPSG%3A25833%5D&bbox-crs=%5BEPSG%3A25833%5D&bbox=-100000,6400000,600000,7000000"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{id}: {page}");
        assert_eq!(crs, format!("<{}>", epsg(25833)), "{id}");
        for f in page["features"].as_array().unwrap() {
            let first = &f["geometry"]["coordinates"];
            let mut x = first;
            while x[0].is_array() {
                x = &x[0];
            }
            assert!(x[0].as_f64().unwrap() > 100_000.0, "{id}: {f}");
        }
    }
    let (_, _, conf) = get(state, "/api/conformance").await;
    assert!(
        conf["conformsTo"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs")
    );

    let (_, crs, lonlat) = get(state, "/api/collections/facilities/items?limit=20").await;
    assert_eq!(crs, format!("<{CRS84}>"));
    let lonlat = points(&lonlat);
    assert_eq!(lonlat.len(), 20, "20 point facilities to compare");

    // EPSG:4326 is latitude first: the same numbers, swapped.
    let (_, crs, swapped) = get(
        state,
        &format!(
            "/api/collections/facilities/items?limit=20&crs={}",
            enc(&epsg(4326))
        ),
    )
    .await;
    assert_eq!(crs, format!("<{}>", epsg(4326)));
    for ((id, [lon, lat]), (id2, [a, b])) in lonlat.iter().zip(points(&swapped)) {
        assert_eq!((*id, *lat, *lon), (id2, a, b));
    }

    // UTM 32 and 33 and Web Mercator against cs2cs, to a millimetre.
    let input: String = lonlat
        .iter()
        .map(|(_, [lon, lat])| format!("{lat} {lon}\n"))
        .collect();
    for code in [25832, 25833, 3857] {
        let (status, crs, page) = get(
            state,
            &format!("/api/collections/facilities/items?limit=20&crs=%5BEPSG%3A{code}%5D"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(crs, format!("<{}>", epsg(code)));
        let ours = points(&page);
        let proj = tool(
            "cs2cs",
            &["-f", "%.6f", "EPSG:4326", &format!("EPSG:{code}")],
            Some(&input),
        );
        let theirs: Vec<[f64; 2]> = proj
            .lines()
            .map(|l| {
                let v: Vec<f64> = l
                    .split_whitespace()
                    .take(2)
                    .map(|x| x.parse().unwrap())
                    .collect();
                [v[0], v[1]]
            })
            .collect();
        assert_eq!(ours.len(), theirs.len());
        for ((id, [x, y]), [px, py]) in ours.iter().zip(&theirs) {
            let d = ((x - px).powi(2) + (y - py).powi(2)).sqrt();
            assert!(
                d < 0.001,
                "EPSG:{code}, facility {id}: ours ({x}, {y}), PROJ ({px}, {py}): {d} m apart"
            );
        }
    }

    // One item, in UTM 32, and its self link keeps the CRS.
    let (id, _) = lonlat[0];
    let (status, crs, item) = get(
        state,
        &format!("/api/collections/facilities/items/{id}?crs=%5BEPSG%3A25832%5D"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(crs, format!("<{}>", epsg(25832)));
    assert!(
        item["geometry"]["coordinates"][0].as_f64().unwrap() > 100_000.0,
        "{item}"
    );
    assert!(item["links"][0]["href"].as_str().unwrap().contains("crs="));
}

#[tokio::test]
async fn a_box_in_utm_selects_exactly_the_points_inside_it_in_utm() {
    let (_, state) = oslo().await;
    let (_, _, all) = get(
        state,
        "/api/collections/facilities/items?limit=10000&crs=%5BEPSG%3A25832%5D",
    )
    .await;
    let all = points(&all);
    assert!(all.len() > 100);
    // A box around the middle of the data, 800 m × 600 m.
    let mut xs: Vec<f64> = all.iter().map(|(_, p)| p[0]).collect();
    let mut ys: Vec<f64> = all.iter().map(|(_, p)| p[1]).collect();
    xs.sort_by(f64::total_cmp);
    ys.sort_by(f64::total_cmp);
    let (cx, cy) = (xs[xs.len() / 2], ys[ys.len() / 2]);
    let b = [cx - 400.0, cy - 300.0, cx + 400.0, cy + 300.0];
    let mut expected: Vec<i64> = all
        .iter()
        .filter(|(_, [x, y])| (b[0]..=b[2]).contains(x) && (b[1]..=b[3]).contains(y))
        .map(|(id, _)| *id)
        .collect();
    expected.sort();
    assert!(
        expected.len() >= 3,
        "the box holds {} facilities",
        expected.len()
    );
    let (status, _, page) = get(
        state,
        &format!(
            "/api/collections/facilities/items?limit=10000&bbox-crs=%5BEPSG%3A25832%5D&bbox={},{},{},{}",
            b[0], b[1], b[2], b[3]
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut got: Vec<i64> = points(&page).iter().map(|(id, _)| *id).collect();
    got.sort();
    assert_eq!(got, expected);
    // The next link keeps both.
    let far = get(state, "/api/collections/facilities/items?bbox-crs=%5BEPSG%3A25832%5D&bbox=100000,6000000,100100,6000100").await;
    assert_eq!(far.2["numberMatched"], 0);
}

#[tokio::test]
async fn unknown_crss_and_a_bbox_crs_without_a_box_are_400_problems() {
    let (_, state) = oslo().await;
    for (uri, param) in [
        (
            "/api/collections/facilities/items?crs=%5BEPSG%3A2154%5D",
            "crs",
        ),
        ("/api/collections/facilities/items?crs=EPSG:25832", "crs"),
        ("/api/collections/facilities/items/1?crs=foo", "crs"),
        (
            "/api/collections/districts/items?bbox-crs=%5BEPSG%3A99999%5D&bbox=1,2,3,4",
            "bbox-crs",
        ),
        (
            "/api/collections/facilities/items?bbox-crs=%5BEPSG%3A25832%5D",
            "bbox-crs",
        ),
        (
            "/api/collections/facilities/items?bbox-crs=%5BEPSG%3A25832%5D&bbox=600000,6650000,590000,6660000",
            "bbox",
        ),
        (
            "/api/collections/facilities/items?bbox-crs=%5BEPSG%3A3857%5D&bbox=1e12,1e12,2e12,2e12",
            "bbox",
        ),
    ] {
        let (status, _, body) = get(state, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        let text = body.to_string();
        assert!(
            text.contains(param),
            "{uri}: the problem does not name {param}: {text}"
        );
    }
}

/// OWSLib (PyPI, pinned in tests/requirements.txt) against the service over HTTP: what it
/// finds equals what the API says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owslib_reads_collections_queryables_a_cql2_filter_and_utm_items() {
    let (_, state) = oslo().await;
    let said = client_over_http(state, "owslib_features.py").await;

    let (_, _, ours) = get(state, "/api/collections").await;
    let ids: Vec<&serde_json::Value> = ours["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(
        said["collections"]
            .as_array()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        ids
    );
    assert!(
        said["queryables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q == "kind"),
        "{said}"
    );
    let (_, _, schools) = get(
        state,
        "/api/collections/facilities/items?limit=10000&filter=kind%20%3D%20%27school%27",
    )
    .await;
    assert!(schools["numberMatched"].as_u64().unwrap() > 0);
    assert_eq!(said["schools"], schools["numberMatched"]);
    assert_eq!(said["schools_returned"], schools["numberMatched"]);

    // The first school in UTM 32 is where cs2cs puts it.
    assert_eq!(said["utm_first_id"], schools["features"][0]["id"]);
    let c = &schools["features"][0]["geometry"]["coordinates"];
    let proj = tool(
        "cs2cs",
        &["-f", "%.6f", "EPSG:4326", "EPSG:25832"],
        Some(&format!("{} {}\n", c[1], c[0])),
    );
    let v: Vec<f64> = proj
        .split_whitespace()
        .take(2)
        .map(|x| x.parse().unwrap())
        .collect();
    let got = &said["utm_first"];
    let d = (got[0].as_f64().unwrap() - v[0]).hypot(got[1].as_f64().unwrap() - v[1]);
    assert!(d < 0.001, "OWSLib got {got}, PROJ says {v:?}");
}

/// GDAL's OGR (its OAPIF driver, from pyogrio's wheel pinned in tests/requirements.txt) reads
/// the facilities in ETRS89 UTM 33 through the driver's `CRS` open option, whole, with an
/// attribute filter, with a spatial filter in UTM metres and with both: its counts are the
/// API's own, and its first point is the API's `crs=` output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gdal_reads_facilities_in_utm_33_with_attribute_and_spatial_filters() {
    let (_, state) = oslo().await;
    let said = client_over_http(state, "gdal_oapif.py").await;
    assert_eq!(said["layer_epsg"], 25833, "{said}");

    const UTM33: &str = "http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F25833";
    let b: Vec<f64> = said["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let bbox = format!("bbox={},{},{},{}&bbox-crs={UTM33}", b[0], b[1], b[2], b[3]);
    let school = "filter=kind%20%3D%20%27school%27";
    for (read, query) in [
        ("all", String::new()),
        ("where", school.to_string()),
        ("bbox", bbox.clone()),
        ("where_bbox", format!("{school}&{bbox}")),
    ] {
        let (_, _, ours) = get(
            state,
            &format!("/api/collections/facilities/items?limit=10000&crs={UTM33}&{query}"),
        )
        .await;
        let n = ours["numberMatched"].as_u64().unwrap();
        assert!(n > 0, "{read}: the API matched nothing for {query}");
        let got = &said["reads"][read];
        assert_eq!(got["count"], n, "{read}: GDAL {got}, API {n}");
        assert_eq!(got["first_id"], ours["features"][0]["id"], "{read}");
        let c = &ours["features"][0]["geometry"]["coordinates"];
        let xy = &got["first_xy"];
        let d = (xy[0].as_f64().unwrap() - c[0].as_f64().unwrap())
            .hypot(xy[1].as_f64().unwrap() - c[1].as_f64().unwrap());
        assert!(d < 0.001, "{read}: GDAL has {xy}, the API {c}");
    }
    // The filters narrowed, and the spatial one and the CRS went to the server.
    assert!(
        said["reads"]["where_bbox"]["count"].as_u64().unwrap()
            < said["reads"]["bbox"]["count"].as_u64().unwrap()
    );
    let requests = said["reads"]["bbox"]["items_requests"].to_string();
    assert!(requests.contains("bbox-crs"), "{requests}");
    assert!(requests.contains("25833"), "{requests}");
}

/// A planner's downloads (issue 17 item 5): coverage per district and the homes beyond the
/// walk as GeoPackages in UTM 33 and UTM 32, opened by GDAL's GeoPackage driver (the library
/// behind ogrinfo): the layers, counts and CRSs are what the API's GeoJSON says, and a point
/// lies in the zone asked for; bad input is a 400.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coverage_and_gaps_as_geopackages_open_in_gdal_in_the_crs_asked_for() {
    let python = crate::common::test_python();
    let (_, state) = oslo().await;
    const Q: &str = "kind=school&minutes=5";
    let utm = |code: u32| format!("http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F{code}");

    let said = gpkg_of(
        state,
        &python,
        format!("/api/coverage?{Q}&format=gpkg&crs={}", utm(25833)),
    )
    .await;
    let layer = &said["layers"]["coverage"];
    let (_, _, ours) = get(state, &format!("/api/coverage?{Q}&format=geojson")).await;
    let districts = ours["features"].as_array().unwrap();
    assert!(!districts.is_empty());
    assert_eq!(layer["features"], districts.len(), "{said}");
    assert_eq!(layer["crs"], "EPSG:25833");
    assert_eq!(said["application_id"], 0x4750_4B47, "GPKG");
    assert_eq!(said["user_version"], 10400);
    assert_eq!(said["integrity"], "ok");
    assert_eq!(layer["geometry_type"], "MultiPolygon", "{said}");
    assert_eq!(
        layer["first"]["district"],
        districts[0]["properties"]["district"]
    );
    assert_eq!(
        layer["first"]["covered"],
        districts[0]["properties"]["covered"]
    );
    // Column types come from the layer, not from one download's values: population is all
    // NULL here (no SSB figures) and still a number column.
    let dtype = |field: &str| {
        let i = layer["fields"]
            .as_array()
            .unwrap()
            .iter()
            .position(|f| f == field)
            .unwrap_or_else(|| panic!("no field {field}: {said}"));
        layer["dtypes"][i].as_str().unwrap().to_string()
    };
    assert!(layer["first"]["population"].is_null(), "{said}");
    assert!(dtype("population").starts_with("int"), "{said}");
    assert_eq!(dtype("share"), "float64", "{said}");
    assert_eq!(dtype("suppressed"), "bool", "{said}");
    // UTM 33 metres around Oslo: eastings near 262 km, northings near 6650 km.
    let b = &layer["total_bounds"];
    assert!(
        (250_000.0..280_000.0).contains(&b[0].as_f64().unwrap()),
        "{b}"
    );
    assert!(
        (6_640_000.0..6_660_000.0).contains(&b[1].as_f64().unwrap()),
        "{b}"
    );

    let said = gpkg_of(
        state,
        &python,
        format!(
            "/api/coverage/gaps?{Q}&limit=100000&format=gpkg&crs={}",
            utm(25832)
        ),
    )
    .await;
    let layer = &said["layers"]["gaps"];
    let (_, _, ours) = get(state, &format!("/api/coverage/gaps?{Q}&limit=100000")).await;
    assert!(ours["numberReturned"].as_u64().unwrap() > 0);
    assert_eq!(layer["features"], ours["numberReturned"], "{said}");
    assert_eq!(layer["crs"], "EPSG:25832");
    assert_eq!(
        layer["first"]["label"],
        ours["features"][0]["properties"]["label"]
    );
    let b = &layer["total_bounds"];
    assert!(
        (590_000.0..605_000.0).contains(&b[0].as_f64().unwrap()),
        "{b}"
    );
    // A question with no gaps gives the same columns and geometry type, with no rows.
    let said = gpkg_of(
        state,
        &python,
        "/api/coverage/gaps?kind=library,school,kindergarten,playground,park&minutes=60&format=gpkg"
            .into(),
    )
    .await;
    let empty = &said["layers"]["gaps"];
    assert_eq!(empty["features"], 0, "{said}");
    assert_eq!(empty["geometry_type"], "Point", "{said}");
    assert_eq!(
        empty["fields"],
        serde_json::json!(["label", "district", "district_id", "walk_seconds"])
    );

    // Finnmark's zone, which the GeoPackage crate does not carry.
    let said = gpkg_of(
        state,
        &python,
        format!("/api/coverage?{Q}&format=gpkg&crs={}", utm(25835)),
    )
    .await;
    assert_eq!(said["layers"]["coverage"]["crs"], "EPSG:25835", "{said}");

    // Bad input: an unknown CRS, a CRS with another format, an unknown format.
    for uri in [
        format!("/api/coverage?{Q}&format=gpkg&crs=EPSG:9999"),
        format!("/api/coverage?{Q}&format=csv&crs={}", utm(25833)),
        format!("/api/coverage/gaps?{Q}&format=shp"),
    ] {
        let (status, _, body) = get(state, &uri).await;
        assert_eq!(status, 400, "{uri}: {body}");
    }
}

/// Downloads a GeoPackage through the router and has GDAL say what it holds.
async fn gpkg_of(state: &AppState, python: &str, uri: String) -> serde_json::Value {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let r = naermiljo::http::router(state.clone())
        .oneshot(
            axum::http::Request::get(&uri)
                .header("host", "test.local")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{uri}");
    assert_eq!(
        r.headers()["content-type"],
        "application/geopackage+sqlite3"
    );
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    let path = std::env::temp_dir().join(format!(
        "naermiljo-test-{}-{}.gpkg",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond()
    ));
    std::fs::write(&path, &bytes).unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/gpkg_info.py");
    let (python, p) = (python.to_string(), path.clone());
    let out = tokio::task::spawn_blocking(move || {
        tool(
            &python,
            &[script.to_str().unwrap(), p.to_str().unwrap()],
            None,
        )
    })
    .await
    .unwrap();
    std::fs::remove_file(&path).ok();
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The tests' Python (scripts/test makes a virtual environment with tests/requirements.txt).
/// Runs `tests/clients/SCRIPT URL` against the service served on a loopback port, and reads
/// the one JSON object it prints.
async fn client_over_http(state: &AppState, script: &str) -> serde_json::Value {
    let python = crate::common::test_python();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = naermiljo::http::router(state.clone());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(script);
    let out =
        tokio::task::spawn_blocking(move || tool(&python, &[script.to_str().unwrap(), &url], None))
            .await
            .unwrap();
    server.abort();
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}
