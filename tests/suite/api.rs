//! The HTTP API over the imported Oslo extract: OGC API – Features, search, errors.

use std::collections::BTreeSet;

use naermiljo::domain::Bbox;
use naermiljo::http::AppState;
use proptest::prelude::*;
use tokio::sync::OnceCell;

use crate::common::{TestStore, addresses, assert_problem, elverum_csv, get, oslo_pbf, osm};

/// One store with Oslo (OSM) and Elverum (Kartverket) imported, shared by the read-only tests.
async fn fixture() -> &'static (TestStore, AppState) {
    static CELL: OnceCell<(TestStore, AppState)> = OnceCell::const_new();
    CELL.get_or_init(|| async {
        let t = TestStore::new().await;
        t.import(osm(oslo_pbf())).await.unwrap();
        t.import(addresses(elverum_csv())).await.unwrap();
        let state = t.state().await;
        (t, state)
    })
    .await
}

fn ids(body: &serde_json::Value) -> Vec<i64> {
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn landing_conformance_collections_and_openapi() {
    let (_, state) = fixture().await;
    let landing = get(state, "/api").await;
    assert_eq!(landing.status, 200);
    let rels: BTreeSet<&str> = landing.body["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    assert!(
        ["self", "service-desc", "conformance", "data"]
            .iter()
            .all(|r| rels.contains(r)),
        "{rels:?}"
    );

    let conformance = get(state, "/api/conformance").await;
    assert!(
        conformance.body["conformsTo"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().ends_with("/conf/geojson"))
    );

    let collections = get(state, "/api/collections").await;
    let names: Vec<&str> = collections.body["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "facilities",
            "addresses",
            "districts",
            "activities",
            "volunteer-needs",
            "proposals",
            "nature",
            "trailheads"
        ]
    );
    let extent = &collections.body["collections"][0]["extent"]["spatial"]["bbox"][0];
    assert_eq!(extent.as_array().unwrap().len(), 4);

    let one = get(state, "/api/collections/facilities").await;
    assert_eq!(one.body["id"], "facilities");
    assert!(
        one.body["links"][1]["href"]
            .as_str()
            .unwrap()
            .starts_with("http://test.local/api/collections/facilities/items")
    );

    // Every route of the router is in the OpenAPI document.
    let doc = get(state, "/api/openapi.json").await;
    assert_eq!(doc.status, 200);
    assert_eq!(doc.body["openapi"], "3.1.0");
    for path in [
        "/healthz",
        "/api",
        "/api/conformance",
        "/api/collections",
        "/api/collections/{id}",
        "/api/collections/{id}/items",
        "/api/collections/{id}/items/{fid}",
        "/api/addresses/search",
        "/api/reach",
        "/api/isochrone",
        "/api/coverage",
        "/api/coverage/gaps",
        "/api/coverage/scenario",
        "/readyz",
        "/tiles/{layer}/{z}/{x}/{y}.mvt",
        "/tiles/{layer}.json",
        "/api/openapi.json",
        "/",
        "/embed",
        "/planner",
        "/styles/{name}.json",
        "/api/collections/activities/items",
        "/api/collections/activities/items/{fid}",
        "/api/collections/volunteer-needs/items",
        "/api/collections/volunteer-needs/items/{fid}",
        "/api/collections/volunteer-needs/items/{fid}/offers",
    ] {
        assert!(
            doc.body["paths"].get(path).is_some(),
            "{path} missing from openapi.json"
        );
    }
    // Every /api and /auth route the router has is in the document: read from the
    // router's source, so that a new endpoint cannot be left out.
    let router = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http/mod.rs"),
    )
    .unwrap();
    let routes: Vec<&str> = router
        .split(".route(")
        .skip(1)
        .filter_map(|r| r.trim_start().strip_prefix('"')?.split('"').next())
        .filter(|p| p.starts_with("/api/") || p.starts_with("/auth/"))
        .collect();
    assert!(routes.len() > 30, "routes read: {routes:?}");
    let documented: Vec<&String> = doc.body["paths"].as_object().unwrap().keys().collect();
    // A route is documented as itself or by a template that takes it (`/api/collections/{id}`
    // documents `/api/collections/activities`).
    let takes = |template: &str, route: &str| {
        let (t, r): (Vec<&str>, Vec<&str>) =
            (template.split('/').collect(), route.split('/').collect());
        t.len() == r.len()
            && t.iter()
                .zip(&r)
                .all(|(t, r)| t == r || (t.starts_with('{') && !r.starts_with('{')))
    };
    for route in routes {
        assert!(
            documented
                .iter()
                .any(|d| d.as_str() == route || takes(d, route)),
            "{route} (a route in src/http/mod.rs) missing from openapi.json"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn items_page_through_everything_with_next_links() {
    let (_, state) = fixture().await;
    let s = state.snapshot.load();
    let schools: BTreeSet<i64> = s
        .facilities
        .iter()
        .filter(|f| f.kind.as_str() == "school")
        .map(|f| f.id)
        .collect();
    let mut seen = BTreeSet::new();
    let mut uri = "/api/collections/facilities/items?kind=school&limit=7".to_string();
    let mut pages = 0;
    loop {
        let page = get(state, &uri).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.content_type, "application/geo+json");
        assert_eq!(page.body["numberMatched"], schools.len());
        assert!(page.body["numberReturned"].as_u64().unwrap() <= 7);
        for id in ids(&page.body) {
            assert!(seen.insert(id), "{id} twice");
        }
        pages += 1;
        let next = page.body["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next");
        match next {
            Some(l) => {
                uri = l["href"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("http://test.local")
                    .to_string()
            }
            None => break,
        }
        if pages > 1 {
            assert!(
                page.body["links"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["rel"] == "prev")
            );
        }
    }
    assert_eq!(seen, schools);
    assert_eq!(pages, schools.len().div_ceil(7));

    // One item, with its district and source.
    let first = *schools.iter().next().unwrap();
    let item = get(state, &format!("/api/collections/facilities/items/{first}")).await;
    assert_eq!(item.status, 200);
    assert_eq!(item.body["properties"]["kind"], "school");
    assert_eq!(item.body["properties"]["kind_label_nb"], "Skole");
    assert_eq!(item.body["properties"]["source"], "osm");
    assert!(
        item.body["properties"]["district"].is_string(),
        "derived from postcodes: {}",
        item.body
    );

    // Group filter and free text.
    let nma = get(
        state,
        "/api/collections/facilities/items?kind=naermiljoanlegg&limit=10000",
    )
    .await;
    assert!(
        nma.body["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["naermiljoanlegg"] == true)
    );
    let q = get(
        state,
        "/api/collections/facilities/items?q=BIBLIOTEK&limit=100",
    )
    .await;
    assert!(q.body["numberMatched"].as_u64().unwrap() >= 1);
    let districts = get(state, "/api/collections/districts/items?limit=1").await;
    assert_eq!(
        districts.body["features"][0]["geometry"]["type"],
        "MultiPolygon"
    );
}

/// Brute force: every facility and address whose point lies in the box, edges included.
fn brute_force(state: &AppState, b: &Bbox) -> (Vec<i64>, Vec<i64>) {
    let s = state.snapshot.load();
    let f = s
        .facilities
        .iter()
        .filter(|f| b.contains(f.position))
        .map(|f| f.id)
        .collect();
    let a = s
        .addresses
        .iter()
        .filter(|a| b.contains(a.position))
        .map(|a| a.id)
        .collect();
    (f, a)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn bbox_queries_equal_a_brute_force_scan(
        lon in 10.70f64..10.80, lat in 59.89f64..59.95, w in 0.0f64..0.03, h in 0.0f64..0.02,
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let (ok_f, ok_a) = rt.block_on(async {
            let (_, state) = fixture().await;
            let b = Bbox { min_lon: lon, min_lat: lat, max_lon: lon + w, max_lat: lat + h };
            let (want_f, want_a) = brute_force(state, &b);
            let bbox = format!("{},{},{},{}", b.min_lon, b.min_lat, b.max_lon, b.max_lat);
            let f = get(state, &format!("/api/collections/facilities/items?limit=10000&bbox={bbox}")).await;
            let a = get(state, &format!("/api/collections/addresses/items?limit=10000&bbox={bbox}")).await;
            (ids(&f.body) == want_f && f.body["numberMatched"] == want_f.len(),
             ids(&a.body) == want_a && a.body["numberMatched"] == want_a.len())
        });
        prop_assert!(ok_f, "facilities differ for box at {lon},{lat} size {w}x{h}");
        prop_assert!(ok_a, "addresses differ for box at {lon},{lat} size {w}x{h}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bbox_brute_force_check_is_not_vacuous() {
    // A box over central Oslo holds hundreds of addresses: the property above compares real sets.
    let (_, state) = fixture().await;
    let (f, a) = brute_force(
        state,
        &Bbox {
            min_lon: 10.74,
            min_lat: 59.91,
            max_lon: 10.76,
            max_lat: 59.92,
        },
    );
    assert!(
        f.len() > 10 && a.len() > 500,
        "{} facilities, {} addresses",
        f.len(),
        a.len()
    );
}

async fn labels(state: &AppState, q: &str) -> Vec<String> {
    let reply = get(
        state,
        &format!("/api/addresses/search?limit=5&q={}", urlencode(q)),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["label"].as_str().unwrap().to_string())
        .collect()
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("q", s)])
        .unwrap()
        .trim_start_matches("q=")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn address_search_tolerates_case_letters_and_a_missing_letter() {
    let (_, state) = fixture().await;
    let s = state.snapshot.load();
    // Real addresses of the data with ø and å in the street name, picked from the data.
    let with_o = s
        .addresses
        .iter()
        .find(|a| a.street.contains('ø') && a.street.len() > 8)
        .unwrap();
    let with_aa = s
        .addresses
        .iter()
        .find(|a| a.street.contains('å') && a.street.len() > 8)
        .unwrap();
    for a in [with_o, with_aa] {
        let exact = format!("{} {}", a.street, a.number);
        let top = labels(state, &exact).await;
        assert!(top[0].starts_with(&exact), "{exact}: {top:?}");

        let upper_ascii = exact.to_uppercase().replace('Ø', "O").replace('Å', "AA");
        assert!(
            labels(state, &upper_ascii)
                .await
                .iter()
                .any(|l| l.starts_with(&exact)),
            "{upper_ascii}"
        );

        // One letter missing from the street name (not the first).
        let mut street: Vec<char> = a.street.chars().collect();
        street.remove(3);
        let missing: String = street.into_iter().collect();
        let typo = format!("{missing} {}", a.number);
        assert!(
            labels(state, &typo)
                .await
                .iter()
                .any(|l| l.starts_with(&exact)),
            "{typo}"
        );
    }
    // A prefix finds the street.
    let prefix: String = with_o.street.chars().take(5).collect();
    assert!(!labels(state, &prefix).await.is_empty());
    assert!(labels(state, "qqqqqqqq").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_are_problems() {
    let (_, state) = fixture().await;
    let items = "/api/collections/facilities/items";
    let long_q = "a".repeat(10_000);
    let cases: Vec<(String, u16, &str)> = vec![
        (format!("{items}?bbox=1,2,3"), 400, "bbox"),
        (format!("{items}?bbox=a,b,c,d"), 400, "bbox"),
        (
            format!("{items}?bbox=10.8,59.9,10.7,59.95"),
            400,
            "east of maxlon",
        ),
        (
            format!("{items}?bbox=10.7,59.95,10.8,59.9"),
            400,
            "above maxlat",
        ),
        (format!("{items}?bbox=-200,0,10,10"), 400, "-180..180"),
        (format!("{items}?bbox=0,-91,10,10"), 400, "-90..90"),
        (format!("{items}?limit=0"), 400, "limit"),
        (format!("{items}?limit=-1"), 400, "limit"),
        (format!("{items}?limit=ten"), 400, "limit"),
        (format!("{items}?offset=-5"), 400, "offset"),
        (format!("{items}?kind=castle"), 400, "castle"),
        (format!("{items}?q={long_q}"), 400, "longer than 200"),
        (format!("{items}?limit=5&limit=6"), 400, "more than once"),
        (format!("{items}?colour=red"), 400, "colour"),
        (
            "/api/collections/addresses/items?kind=school".into(),
            400,
            "only the facilities",
        ),
        (
            format!("/api/addresses/search?q={long_q}"),
            400,
            "longer than 200",
        ),
        ("/api/addresses/search".into(), 400, "q"),
        ("/api/collections/castles/items".into(), 404, "castles"),
        ("/api/collections/castles".into(), 404, "castles"),
        (format!("{items}/999999999"), 404, "999999999"),
        (format!("{items}/not-a-number"), 404, "not-a-number"),
        (
            "/api/collections/districts/items/nowhere".into(),
            404,
            "nowhere",
        ),
        ("/no/such/page".into(), 404, ""),
    ];
    for (uri, status, needle) in cases {
        let reply = get(state, &uri).await;
        let detail = assert_problem(&reply, status);
        assert!(detail.contains(needle), "{uri}: {detail}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_limit_is_clamped_to_the_maximum() {
    let (_, state) = fixture().await;
    let reply = get(state, "/api/collections/addresses/items?limit=1000000000").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["numberReturned"], 10_000);
    let next = reply.body["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap();
    assert!(
        next["href"]
            .as_str()
            .unwrap()
            .contains("limit=10000&offset=10000"),
        "{next}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reload_swaps_the_whole_snapshot() {
    let t = TestStore::new().await;
    t.import(osm(oslo_pbf())).await.unwrap();
    let state = t.state().await;
    let old = state.snapshot.load();
    assert!(
        !naermiljo::app::refresh(&state).await.unwrap(),
        "nothing changed yet"
    );

    t.import(addresses(elverum_csv())).await.unwrap();
    assert!(naermiljo::app::refresh(&state).await.unwrap());
    let new = state.snapshot.load();
    // A reader holding the old snapshot still sees all of the old data, and only it.
    assert_eq!(old.addresses.len() + 10_871, new.addresses.len());
    assert_eq!(old.search_addresses("Gobakkvegen 438", 1).len(), 0);
    assert_eq!(new.search_addresses("Gobakkvegen 438", 1).len(), 1);
    assert!(new.data_version > old.data_version);
    let health = get(&state, "/healthz").await;
    assert_eq!(health.body["addresses"], new.addresses.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn responses_are_compressed_and_open_to_other_origins() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let (_, state) = fixture().await;
    for encoding in ["gzip", "br"] {
        let response = naermiljo::http::router(state.clone())
            .oneshot(
                Request::get("/api/collections/addresses/items?limit=500")
                    .header("accept-encoding", encoding)
                    .header("origin", "https://www.drammen.kommune.no")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], encoding);
        assert_eq!(response.headers()["access-control-allow-origin"], "*");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_content_coding_has_its_own_etag_and_token_writes_pass_cors() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let (_, state) = fixture().await;
    let id =
        naermiljo::tiles::TileId::containing(naermiljo::domain::LonLat::new(10.75, 59.915), 14);
    let uri = format!("/tiles/facilities/14/{}/{}.mvt", id.x, id.y);
    let fetch = |encoding: Option<&'static str>, if_none_match: Option<String>| {
        let (state, uri) = (state.clone(), uri.clone());
        async move {
            let mut r = Request::get(&uri);
            if let Some(e) = encoding {
                r = r.header("accept-encoding", e);
            }
            if let Some(t) = if_none_match {
                r = r.header("if-none-match", t);
            }
            naermiljo::http::router(state)
                .oneshot(r.body(Body::empty()).unwrap())
                .await
                .unwrap()
        }
    };
    let plain = fetch(None, None).await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_tag = plain.headers()["etag"].to_str().unwrap().to_string();
    let gzip = fetch(Some("gzip"), None).await;
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let gzip_tag = gzip.headers()["etag"].to_str().unwrap().to_string();
    assert_ne!(plain_tag, gzip_tag, "two representations, two validators");
    assert_eq!(
        gzip_tag,
        format!("{}-gzip\"", plain_tag.trim_end_matches('"'))
    );
    // Revalidation works with either, and a 304 names the tag it was asked with.
    let again = fetch(Some("gzip"), Some(gzip_tag.clone())).await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], gzip_tag.as_str());
    let again = fetch(None, Some(plain_tag.clone())).await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], plain_tag.as_str());

    // A page on another site may write with a token: the preflight allows it.
    let preflight = naermiljo::http::router(state.clone())
        .oneshot(
            Request::builder()
                .method("OPTIONS")
                .uri("/api/collections/activities/items/1")
                .header("origin", "https://www.drammen.kommune.no")
                .header("access-control-request-method", "PUT")
                .header(
                    "access-control-request-headers",
                    "authorization, content-type, if-match",
                )
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    let h = |name: &str| {
        preflight
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_lowercase())
            .unwrap_or_default()
    };
    assert!(
        h("access-control-allow-methods").contains("put"),
        "{}",
        h("access-control-allow-methods")
    );
    for header in ["authorization", "if-match", "content-type"] {
        assert!(
            h("access-control-allow-headers").contains(header),
            "{header}: {}",
            h("access-control-allow-headers")
        );
    }
    assert!(
        h("access-control-allow-credentials").is_empty(),
        "no cookies across origins"
    );
    let read = naermiljo::http::router(state.clone())
        .oneshot(
            Request::get(&uri)
                .header("origin", "https://www.drammen.kommune.no")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let exposed = read.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("location"),
        "{exposed}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn address_search_reads_addresses_as_norwegians_write_them() {
    let (_, state) = fixture().await;
    let s = state.snapshot.load();
    // (as typed, the address it means): each address is in the register, checked first.
    let cases = [
        ("Thorvald Meyers gt 10", "Thorvald Meyers gate 10,"),
        ("Karl Johans gt. 22", "Karl Johans gate 22,"),
        ("tøyengata12", "Tøyengata 12,"),
        ("sankt olavs gate 1", "St. Olavs gate 1,"),
        ("Markveien 35 oslo", "Markveien 35"),
        // A postcode that is not the address's does not hide it.
        ("Markveien 35 0552", "Markveien 35"),
        // A house letter that does not exist shows the number's address.
        ("Thorvald Meyers gate 10C", "Thorvald Meyers gate 10,"),
    ];
    for (typed, meant) in cases {
        let street = meant
            .split(|c: char| c.is_ascii_digit())
            .next()
            .unwrap()
            .trim();
        assert!(
            s.addresses.iter().any(|a| a.label().starts_with(meant)),
            "the register has no {meant:?} ({street}): the test's data changed"
        );
        let top = labels(state, typed).await;
        assert!(
            top.first().is_some_and(|l| l.starts_with(meant)),
            "{typed:?} should find {meant:?} first, found {top:?}"
        );
    }
    // An exact address is still exact: the letter that exists wins over the bare number.
    let lettered = s
        .addresses
        .iter()
        .find(|a| a.number.ends_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap();
    let top = labels(state, &format!("{} {}", lettered.street, lettered.number)).await;
    assert!(
        top[0].starts_with(&format!("{} {}", lettered.street, lettered.number)),
        "{top:?}"
    );
}

/// Issue 16 item 7: one search box finds addresses, facilities by name and districts by
/// name, grouped and ranked: a place named exactly as asked leads, a number makes it an
/// address, and the map gets a point (and a district's bbox) to go to.
#[tokio::test(flavor = "multi_thread")]
async fn one_search_box_finds_addresses_facilities_and_districts() {
    let (_, state) = fixture().await;
    let s = state.snapshot.load();
    let groups = |body: &serde_json::Value| -> Vec<String> {
        body["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["group"].as_str().unwrap().to_string())
            .collect()
    };

    // A district by its name, folded as people type it.
    let district = s
        .districts
        .iter()
        .find(|d| d.level == "bydel" && d.name == "Grünerløkka")
        .expect("the demo has the bydel Grünerløkka");
    let r = get(state, "/api/search?q=grunerlokka&limit=1").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let first = &r.body["features"][0];
    assert_eq!(first["properties"]["group"], "district", "{}", r.body);
    assert_eq!(first["properties"]["label"], district.name);
    assert_eq!(first["bbox"].as_array().unwrap().len(), 4);
    assert_eq!(r.body["groups"][0]["group"], "district");

    // A facility by its whole name leads, with its kind and a point.
    let facility = s
        .facilities
        .iter()
        .find(|f| {
            f.kind == naermiljo::domain::FacilityKind::School
                && f.name.as_deref().is_some_and(|n| n.ends_with("skole"))
        })
        .expect("a named school");
    let name = facility.name.clone().unwrap();
    let r = get(state, &format!("/api/search?q={}", name.replace(' ', "+"))).await;
    let first = &r.body["features"][0];
    assert_eq!(
        first["properties"]["group"], "facility",
        "{name}: {}",
        r.body
    );
    assert_eq!(first["properties"]["label"], name.as_str());
    assert_eq!(first["properties"]["kind"], "school");
    assert_eq!(first["geometry"]["coordinates"][0], facility.position.lon);

    // An address as people write it: the addresses come first.
    let r = get(state, "/api/search?q=Thorvald+Meyers+gt+10").await;
    assert_eq!(groups(&r.body)[0], "address", "{}", r.body);
    assert!(
        r.body["features"][0]["properties"]["label"]
            .as_str()
            .unwrap()
            .starts_with("Thorvald Meyers gate 10")
    );

    // Each group at most `limit`; a missing q is a problem.
    let r = get(state, "/api/search?q=skole&limit=2").await;
    let g = groups(&r.body);
    assert!(
        g.iter().filter(|x| *x == "facility").count() <= 2 && g.contains(&"facility".to_string()),
        "{g:?}"
    );
    assert_problem(&get(state, "/api/search").await, 400);
    assert_problem(&get(state, "/api/search?q=x&limit=0").await, 400);
}

/// Issue 17 item 2: queryables per collection and `filter=` in CQL2 (text and JSON): the
/// counts equal those of the equivalent plain parameters; syntax errors and unknown
/// queryables are 400 problems that say where or what.
#[tokio::test(flavor = "multi_thread")]
async fn cql2_filters_agree_with_the_plain_parameters() {
    let (_, state) = fixture().await;
    let q = get(state, "/api/collections/facilities/queryables").await;
    assert_eq!(q.status, 200);
    assert_eq!(q.body["properties"]["kind"]["type"], "string");
    assert_eq!(q.body["properties"]["geometry"]["format"], "geometry-point");
    let matched = |uri: String| async move {
        let r = get(state, &uri).await;
        assert_eq!(r.status, 200, "{uri}: {}", r.body);
        r.body["numberMatched"].as_u64().unwrap()
    };
    let items = "/api/collections/facilities/items?limit=1";
    let schools = matched(format!("{items}&kind=school")).await;
    assert!(schools > 0);
    assert_eq!(
        matched(format!("{items}&filter=kind+%3D+%27school%27")).await,
        schools
    );
    let libraries = matched(format!("{items}&kind=library")).await;
    assert_eq!(
        matched(format!(
            "{items}&filter=kind+IN+(%27school%27,%27library%27)"
        ))
        .await,
        schools + libraries
    );
    let all = matched(items.to_string()).await;
    assert_eq!(
        matched(format!("{items}&filter=NOT+(kind+%3D+%27school%27)")).await,
        all - schools
    );
    let json = "%7B%22op%22%3A%22%3D%22%2C%22args%22%3A%5B%7B%22property%22%3A%22kind%22%7D%2C%22school%22%5D%7D";
    assert_eq!(
        matched(format!("{items}&filter-lang=cql2-json&filter={json}")).await,
        schools
    );
    // Spatial: the same as bbox=.
    let in_box = matched(format!("{items}&bbox=10.75,59.91,10.77,59.93")).await;
    assert!(in_box > 0);
    assert_eq!(
        matched(format!(
            "{items}&filter=S_INTERSECTS(geometry,BBOX(10.75,59.91,10.77,59.93))"
        ))
        .await,
        in_box
    );
    // Districts by level.
    let bydeler = matched("/api/collections/districts/items?limit=1&level=bydel".into()).await;
    assert_eq!(
        matched("/api/collections/districts/items?limit=1&filter=level+%3D+%27bydel%27".into())
            .await,
        bydeler
    );
    // Ten levels of parentheses are read; parentheses inside a string do not count.
    let ten = format!("{}kind+%3D+%27school%27{}", "(".repeat(10), ")".repeat(10));
    assert_eq!(matched(format!("{items}&filter={ten}")).await, schools);
    let in_string = format!("name+%3D+%27{}%27", "(".repeat(20));
    assert_eq!(matched(format!("{items}&filter={in_string}")).await, 0);
    // Twenty operations deep are read (the comparison under twenty NOTs).
    let twenty = format!("{}kind+%3D+%27school%27", "NOT+".repeat(20));
    assert_eq!(matched(format!("{items}&filter={twenty}")).await, schools);
    for (uri, says) in [
        (
            format!("{items}&filter=kind+%3D+%27school%27+AND+(name"),
            "it ends too early (after character 25)",
        ),
        (format!("{items}&filter=kind+%3D%3D+%27x%27"), "character 7"),
        (format!("{items}&filter=+"), "it is empty"),
        // cql2 0.5.7 panicked on `||` (found by the query_strings fuzz target).
        (
            format!("{items}&filter=name+%7C%7C+%27x%27+%3D+%27y%27"),
            "at character 6: «|| 'x' = 'y'»",
        ),
        // cql2's grammar takes twice as long with each level: 10 s at 20 (the query_strings
        // fuzz target found it). Refused before parsing.
        (
            format!("{items}&filter=r%3Dmq50(((mq50((((((((((((-00%3D"),
            "it nests parentheses more than 10 deep (at character 21)",
        ),
        // Refused before evaluation, by the server's own check (cql2's JSON Schema check
        // grew the process for good with each new shape of expression).
        (
            format!("{items}&filter={}kind+%3D+%27school%27", "NOT+".repeat(21)),
            "it nests operations more than 20 deep",
        ),
        (
            format!("{items}&filter=kind"),
            "it must be a condition, e.g. kind = 'school'",
        ),
        (
            format!("{items}&filter=kind+%3D+%27school%27+AND+5"),
            "it must be a condition",
        ),
        (
            format!("{items}&filter=name+%2B+1"),
            "+ gives a value, not a condition",
        ),
        (
            format!("{items}&filter=nearest(geometry)+%3D+1"),
            "nearest() is not a function this server offers",
        ),
        (
            format!("{items}&filter=colour+%3D+1"),
            "\"colour\" is not a queryable of facilities",
        ),
        (
            format!("{items}&filter-lang=sql&filter=x"),
            "cql2-text or cql2-json",
        ),
        // UTM 32 metres where lon/lat belong: said, not an empty answer.
        (
            format!("{items}&filter=S_INTERSECTS(geometry,BBOX(598000,6643000,599000,6644000))"),
            "(598000, 6643000) is not a longitude and latitude",
        ),
        (
            format!("{items}&filter=S_INTERSECTS(geometry,POINT(10.75+6643000))"),
            "is not a longitude and latitude",
        ),
    ] {
        let r = get(state, &uri).await;
        let detail = assert_problem(&r, 400);
        assert!(detail.contains(says), "{uri}: {detail}");
    }
}
