//! `naermiljo fetch` against a real HTTP server (axum on port 0) that serves the fixture
//! files in `fixtures/fetch/` (the publishers' formats, invented values) and scripted
//! answers: failures before success, ETags and ranges, wrong MIME types, timeouts.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use naermiljo::fetch::{Endpoints, FetchOptions, FetchReport, Http, Manifest, RetryPolicy, Source};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fetch")
}

/// A scripted answer: status and body; `delay` before answering.
#[derive(Clone)]
struct Scripted {
    status: StatusCode,
    body: String,
    delay: Duration,
}

#[derive(Default)]
struct ServerState {
    base: String,
    /// Path → answers given before the fixture file, first first.
    script: HashMap<String, VecDeque<Scripted>>,
    /// Path → another fixture file to serve instead.
    alias: HashMap<String, String>,
    /// Every request: path and status.
    log: Vec<(String, u16)>,
    /// Polls of the current Geonorge order: ready from the second on.
    polls: usize,
}

#[derive(Clone)]
pub(crate) struct FixtureServer {
    state: Arc<Mutex<ServerState>>,
    base: String,
}

impl FixtureServer {
    pub(crate) async fn start() -> FixtureServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(ServerState {
            base: base.clone(),
            ..Default::default()
        }));
        let shared = state.clone();
        let app = axum::Router::new().fallback(
            move |method: axum::http::Method, uri: Uri, headers: HeaderMap| {
                let state = shared.clone();
                async move { answer(&state, &method, &uri, &headers).await }
            },
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FixtureServer { state, base }
    }

    pub(crate) fn endpoints(&self) -> Endpoints {
        let b = &self.base;
        Endpoints {
            kommuneinfo: format!("{b}/kommuneinfo/v1"),
            address_feed: format!("{b}/atom/MatrikkelenAdresse_AtomFeedCSV.xml"),
            nsr: format!("{b}/nsr/v4"),
            nbr: format!("{b}/nbr/v4"),
            anlegg: format!("{b}/anlegg/api"),
            ssb: format!("{b}/ssb/pxwebapi/v2"),
            geonorge_download: format!("{b}/download/api"),
            klass: format!("{b}/klass/v1"),
            osm_country: format!("{b}/osm/norway-latest.osm.pbf"),
        }
    }

    fn script(&self, path: &str, answers: &[(u16, &str, u64)]) {
        self.state.lock().unwrap().script.insert(
            path.into(),
            answers
                .iter()
                .map(|(s, b, ms)| Scripted {
                    status: StatusCode::from_u16(*s).unwrap(),
                    body: b.to_string(),
                    delay: Duration::from_millis(*ms),
                })
                .collect(),
        );
    }

    fn alias(&self, path: &str, file: &str) {
        self.state
            .lock()
            .unwrap()
            .alias
            .insert(path.into(), file.into());
    }

    /// How many requests were made for paths starting with `prefix`, with `status`.
    fn count(&self, prefix: &str, status: u16) -> usize {
        self.state
            .lock()
            .unwrap()
            .log
            .iter()
            .filter(|(p, s)| p.starts_with(prefix) && *s == status)
            .count()
    }
}

/// The fixture for a request: scripted answers first; then the file at the path (or with
/// `.json`), with `page=N` of Anleggsregisteret as `page-N.json`, `{base}` replaced in
/// text; ETag, `If-None-Match` and `Range` as a file server does them. A Geonorge order
/// (`POST …/order`) waits for processing until its second poll.
async fn answer(
    state: &Arc<Mutex<ServerState>>,
    method: &axum::http::Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Response {
    let path = uri.path().to_string();
    let (scripted, base, alias) = {
        let mut s = state.lock().unwrap();
        let scripted = s.script.get_mut(&path).and_then(VecDeque::pop_front);
        (scripted, s.base.clone(), s.alias.get(&path).cloned())
    };
    let respond = |status: StatusCode, r: Response| {
        state
            .lock()
            .unwrap()
            .log
            .push((path.clone(), status.as_u16()));
        r
    };
    if let Some(s) = scripted {
        tokio::time::sleep(s.delay).await;
        return respond(s.status, (s.status, s.body).into_response());
    }
    let mut rel = alias.unwrap_or_else(|| path.trim_start_matches('/').to_string());
    if rel == "download/api/order" && method == axum::http::Method::POST {
        state.lock().unwrap().polls = 0;
        rel = "download/api/order-waiting.json".into();
    } else if let Some(reference) = rel.strip_prefix("download/api/order/") {
        assert_eq!(reference, "abc-123");
        let polls = {
            let mut s = state.lock().unwrap();
            s.polls += 1;
            s.polls
        };
        rel = if polls < 2 {
            "download/api/order-waiting.json"
        } else {
            "download/api/order-ready.json"
        }
        .into();
    }
    if rel.ends_with("/facilities") {
        let page = uri
            .query()
            .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("page=")))
            .unwrap_or("0");
        rel = format!("{rel}/page-{page}.json");
    }
    let file = [
        fixtures().join(&rel),
        fixtures().join(format!("{rel}.json")),
    ]
    .into_iter()
    .find(|p| p.is_file());
    let Some(file) = file else {
        return respond(StatusCode::NOT_FOUND, StatusCode::NOT_FOUND.into_response());
    };
    let mut bytes = std::fs::read(&file).unwrap();
    let binary = rel.ends_with(".zip") || rel.ends_with(".pbf");
    if !binary {
        bytes = String::from_utf8(bytes)
            .unwrap()
            .replace("{base}", &base)
            .into_bytes();
    }
    // The ATOM feed comes with the wrong type, as the real one does.
    let content_type = if rel.ends_with(".xml") {
        "application/gml+xml"
    } else if rel.ends_with(".pbf") {
        "application/octet-stream"
    } else if binary {
        "application/zip"
    } else {
        "application/json"
    };
    let etag = format!(
        "\"{}\"",
        naermiljo::store::editing::token_sha256(&format!("{:?}", bytes.len()))
    );
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return respond(
            StatusCode::NOT_MODIFIED,
            (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response(),
        );
    }
    let from = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok())
        .filter(|&n| n < bytes.len());
    let (status, body) = match from {
        Some(n) => (StatusCode::PARTIAL_CONTENT, bytes[n..].to_vec()),
        None => (StatusCode::OK, bytes),
    };
    respond(
        status,
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ETAG, etag)
            .body(Body::from(body))
            .unwrap(),
    )
}

fn quick_http() -> Http {
    Http::new(
        RetryPolicy {
            attempts: 3,
            first_pause: Duration::from_millis(20),
            total: Duration::from_secs(5),
            timeout: Duration::from_secs(1),
        },
        false,
    )
    .unwrap()
}

async fn run(server: &FixtureServer, out: &Path, sources: &[Source]) -> FetchReport {
    let opts = FetchOptions {
        kommune: "3301".into(),
        out: out.to_path_buf(),
        endpoints: server.endpoints(),
        sources: sources.to_vec(),
        poll_interval: Duration::from_millis(10),
        poll_timeout: Duration::from_secs(5),
        osm: None,
        osm_cache: out.join("../osm-cache"),
    };
    naermiljo::fetch::fetch(&opts, &quick_http()).await.unwrap()
}

fn geojson(path: &Path) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["features"].as_array().unwrap().clone()
}

fn named<'a>(features: &'a [serde_json::Value], name: &str) -> Option<&'a serde_json::Value> {
    features.iter().find(|f| {
        f["properties"]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with(name))
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kommune_from_its_publishers_then_into_the_store() {
    let server = FixtureServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kommune-3301");
    // The grunnkrets file's link has expired by the time it is fetched: ordered again.
    server.script("/files/grunnkretser_3301_25832.zip", &[(410, "Gone", 0)]);
    let report = run(&server, &out, &Source::ALL).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.fetched.len(), 7);
    // Grunnkretser: ordered twice (the 410), each waiting for processing before ready;
    // polygons in lon/lat, boundary lines skipped, delområde names from Klass.
    assert_eq!(
        server.count("/download/api/order", 200),
        2 + 4,
        "2 orders, 2 polls each"
    );
    let kretser = geojson(&out.join("grunnkretser.geojson"));
    assert_eq!(kretser.len(), 10);
    let first = kretser.iter().find(|k| k["id"] == "33010101").unwrap();
    assert_eq!(first["properties"]["delomradenavn"], "Bragernes");
    let lon = first["geometry"]["coordinates"][0][0][0].as_f64().unwrap();
    assert!((10.0..10.4).contains(&lon), "lon/lat, not UTM: {lon}");
    assert!(
        Manifest::read(&out).unwrap().sources["grunnkretser"]
            .notes
            .join(" ")
            .contains("ordered again")
    );

    // The addresses: the kommune's CSV in its own UTM zone (32), byte for byte.
    assert_eq!(
        std::fs::read(out.join("adresser.csv")).unwrap(),
        std::fs::read(fixtures().join("files/Basisdata_3301_Drammen_25832_MatrikkelenAdresse.csv"))
            .unwrap()
    );
    // Schools: active ones with a position; the one at 0,0 is named, not placed in the sea.
    let schools = geojson(&out.join("skoler.geojson"));
    assert_eq!(schools.len(), 6, "7 active schools, one without a position");
    assert!(named(&schools, "Åskollen").is_none());
    assert!(named(&schools, "Tangen").is_none(), "inactive");
    let vgs = named(&schools, "Drammen videregående").unwrap();
    assert_eq!(vgs["properties"]["upper_secondary"], true);
    assert_eq!(vgs["properties"]["primary_school"], false);
    let kindergartens = geojson(&out.join("barnehager.geojson"));
    assert_eq!(kindergartens.len(), 6, "7 active, one excluded");
    assert!(named(&kindergartens, "Tangen åpen").is_none());
    assert!(
        kindergartens
            .iter()
            .all(|k| k["properties"]["age_from"].is_i64())
    );

    // Sports facilities: the zone slip moved back, the placeholder and the null dropped,
    // the neighbour's within 3 km kept, Bergen not; the unknown type kept and reported.
    let anlegg = geojson(&out.join("anlegg.geojson"));
    let slip = named(&anlegg, "Åssiden ballbinge").unwrap();
    let lon = slip["geometry"]["coordinates"][0].as_f64().unwrap();
    assert!((lon - 10.12044).abs() < 1e-9, "{lon}");
    assert_eq!(slip["properties"]["naermiljoanlegg"], true);
    assert_eq!(slip["properties"]["kind"], "pitch");
    for gone in [
        "Krokstadelva trimpark",
        "Bragernesåsen",
        "Fana",
        "Austad ballbinge",
        "Strømsø skateanlegg",
    ] {
        assert!(named(&anlegg, gone).is_none(), "{gone}");
    }
    let neighbour = named(&anlegg, "Ormåsen ballbinge").unwrap();
    assert_eq!(neighbour["properties"]["outside_kommune"], true);
    assert_eq!(
        named(&anlegg, "Øren bocciabane").unwrap()["properties"]["naermiljoanlegg"],
        false
    );
    let manifest = Manifest::read(&out).unwrap();
    let notes = manifest.sources["sports-facilities"].notes.join("\n");
    for needle in [
        "Boccia-bane (1)",
        "UTM-zone slip: Åssiden",
        "placed elsewhere (left out): Krokstadelva",
        "without a position",
    ] {
        assert!(notes.contains(needle), "{needle:?} not in {notes}");
    }
    assert!(
        manifest.sources["schools"]
            .notes
            .join(" ")
            .contains("Åskollen")
    );

    // The manifest: every file with its size, SHA-256 and the attribution to show.
    assert_eq!(manifest.kommune.as_deref(), Some("3301"));
    for (name, entry) in &manifest.sources {
        for f in &entry.files {
            let bytes = std::fs::read(out.join(&f.name)).unwrap();
            assert_eq!(f.bytes, bytes.len() as u64, "{name}");
            assert_eq!(
                f.sha256,
                naermiljo::fetch::http::hex(&{
                    use sha2::Digest;
                    sha2::Sha256::digest(&bytes)
                })
            );
        }
    }
    assert_eq!(
        manifest.sources["population"].attribution,
        "Kilde: Statistisk sentralbyrå (CC BY 4.0)"
    );
    assert!(
        manifest
            .attributions()
            .contains(&"© Kartverket (CC BY 4.0)".to_string())
    );
    assert!(!out.join(".staging").exists());

    // What was fetched goes into the store: `import kommune`, source by source.
    let t = crate::common::TestStore::new().await;
    let imports = naermiljo::cli::kommune_imports(&out).unwrap();
    let names: Vec<&str> = imports.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "kommune",
            "grunnkretser",
            "addresses",
            "population",
            "schools",
            "kindergartens",
            "sports-facilities"
        ]
    );
    for (name, cmd) in imports {
        t.import(cmd)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let contents = t.store.load().await.unwrap();
    let count = |source: &str, kind: naermiljo::domain::FacilityKind| {
        contents
            .facilities
            .iter()
            .filter(|f| f.source.source == source && f.kind == kind)
            .count()
    };
    use naermiljo::domain::FacilityKind as K;
    assert_eq!(count("nsr", K::School), 6);
    assert_eq!(count("nbr", K::Kindergarten), 6);
    let anlegg_kinds: std::collections::BTreeSet<&str> = anlegg
        .iter()
        .map(|f| f["properties"]["kind"].as_str().unwrap())
        .collect();
    assert!(anlegg_kinds.len() >= 3, "{anlegg_kinds:?}");
    assert_eq!(
        contents
            .facilities
            .iter()
            .filter(|f| f.source.source == "anleggsregisteret")
            .count(),
        anlegg.len()
    );
    let skatepark = contents
        .facilities
        .iter()
        .find(|f| {
            f.name
                .as_deref()
                .is_some_and(|n| n.starts_with("Bragernes skatepark"))
        })
        .unwrap();
    assert_eq!(skatepark.kind, K::Skatepark);
    assert_eq!(skatepark.properties["naermiljoanlegg"], true);
    let school = contents
        .facilities
        .iter()
        .find(|f| f.source.source == "nsr")
        .unwrap();
    assert_eq!(school.source.source_id.len(), 9, "the orgnr is the id");
    assert!(
        contents
            .districts
            .iter()
            .any(|d| d.level == "kommune" && d.name == "Drammen"),
        "the boundary as a district"
    );
    assert_eq!(
        contents
            .districts
            .iter()
            .filter(|d| d.level == "grunnkrets")
            .count(),
        10
    );
    // OpenStreetMap's point of a school the register has is replaced by the register's
    // (its OSM id kept); a school only OSM has stays, marked.
    let fjell = named(&schools, "Fjell skole").unwrap();
    let (lon, lat) = (
        fjell["geometry"]["coordinates"][0].as_f64().unwrap(),
        fjell["geometry"]["coordinates"][1].as_f64().unwrap(),
    );
    let osm = dir.path().join("osm-skoler.geojson");
    std::fs::write(
        &osm,
        serde_json::json!({ "type": "FeatureCollection", "features": [
            { "type": "Feature", "id": "way/101", "geometry": { "type": "Point", "coordinates": [lon + 0.002, lat] },
              "properties": { "name": "Fjell skole" } },
            { "type": "Feature", "id": "node/102", "geometry": { "type": "Point", "coordinates": [lon + 0.03, lat] },
              "properties": { "name": "Ukjent skole" } },
        ] })
        .to_string(),
    )
    .unwrap();
    t.import(naermiljo::cli::ImportCommand::Facilities {
        file: osm,
        kind: K::School,
        kind_property: None,
        id_property: None,
        name_property: "name".into(),
        lon_column: None,
        lat_column: None,
        crs: None,
        source: Some("osm".into()),
    })
    .await
    .unwrap();
    let s = t.state().await.snapshot.load();
    let shown: Vec<&naermiljo::domain::Facility> = s
        .facilities
        .iter()
        .filter(|f| f.kind == K::School)
        .collect();
    assert_eq!(shown.len(), 7, "6 from NSR and the one only OSM has");
    let register = shown
        .iter()
        .find(|f| {
            f.name
                .as_deref()
                .is_some_and(|n| n.starts_with("Fjell skole"))
        })
        .unwrap();
    assert_eq!(register.source.source, "nsr");
    assert_eq!(
        register.properties["osm_ids"],
        serde_json::json!(["way/101"])
    );
    let only_osm = shown.iter().find(|f| f.source.source == "osm").unwrap();
    assert_eq!(only_osm.properties["not_in_register"], "nsr");
    let m = &s.conflation.matches[0];
    assert!((100.0..130.0).contains(&m.distance_m), "{m:?}");
    assert!(m.name_similarity.unwrap() > 0.9, "{m:?}");

    // Each publisher is named wherever its data shows: the API, the tiles, the pages.
    let state = t.state().await;
    let landing = crate::common::get(&state, "/api").await;
    let attribution = landing.body["attribution"].as_str().unwrap().to_string();
    assert_eq!(
        attribution,
        "© Kartverket (CC BY 4.0), Kilde: Statistisk sentralbyrå (CC BY 4.0), \
         Utdanningsdirektoratet, NSR/NBR (NLOD), \
         Anleggsregisteret, Kultur- og likestillingsdepartementet (NLOD), \
         © OpenStreetMap contributors (ODbL)",
        "OpenStreetMap for the school only it has"
    );
    let tilejson = crate::common::get(&state, "/tiles/facilities.json").await;
    assert_eq!(tilejson.body["attribution"], attribution.as_str());
    let page = crate::accounts::send(&state, "GET", "/", None, None, None).await;
    assert!(
        page.text.contains(&format!(
            "<meta name=\"naermiljo-attribution\" content=\"{attribution}\">"
        )),
        "the page names them for its map"
    );
    assert_eq!(contents.addresses.len(), 60);
    assert_eq!(
        contents
            .addresses
            .iter()
            .filter(|a| a.access.is_some())
            .count(),
        6
    );
    let population: std::collections::BTreeMap<_, _> = contents
        .population
        .iter()
        .map(|p| (p.code.as_str(), p.persons))
        .collect();
    assert_eq!(
        population.len(),
        9,
        "10 grunnkretser, one without a figure: {population:?}"
    );

    // Again: unchanged details come from the cache, the zip is answered 304, nothing
    // changes in the folder.
    let details_before = server.count("/nsr/v4/enhet/", 200);
    let report = run(&server, &out, &Source::ALL).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(server.count("/nsr/v4/enhet/", 200), details_before);
    assert_eq!(server.count("/files/Basisdata_3301_Drammen_25832", 304), 1);
    let again = Manifest::read(&out).unwrap();
    for (name, entry) in &again.sources {
        assert_eq!(entry.files, manifest.sources[name].files, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_name_source_url_and_reason_and_keep_the_earlier_data() {
    let server = FixtureServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k");
    let first = run(&server, &out, &Source::ALL).await;
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    let earlier = Manifest::read(&out).unwrap();
    let files_before: Vec<Vec<u8>> = [
        "adresser.csv",
        "barnehager.geojson",
        "befolkning-04317.csv",
        "anlegg.geojson",
    ]
    .iter()
    .map(|f| std::fs::read(out.join(f)).unwrap())
    .collect();

    // Transient failures are retried: two 503s, then the answer.
    server.script(
        "/kommuneinfo/v1/kommuner/3301",
        &[(503, "busy", 0), (503, "busy", 0)],
    );
    // Kindergartens: 500 every time.
    server.script("/nbr/v4/enheter/kommune/3301", &[(500, "oops", 0); 5]);
    // Addresses: the zip is cut off.
    server.alias(
        "/files/Basisdata_3301_Drammen_25832_MatrikkelenAdresse_CSV.zip",
        "files/truncated.zip",
    );
    // Population: the table's layout changed.
    server.alias(
        "/ssb/pxwebapi/v2/tables/04317/data",
        "ssb/pxwebapi/v2/tables/04317/data-bad.json",
    );
    // Sports facilities: the register does not answer in time.
    server.script("/anlegg/api/facilities", &[(200, "[]", 3000); 3]);
    let report = run(&server, &out, &Source::ALL).await;
    let failed: HashMap<Source, &naermiljo::fetch::FetchError> =
        report.failed.iter().map(|e| (e.dataset, e)).collect();
    let fetched: Vec<Source> = report.fetched.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        fetched,
        [Source::Kommune, Source::Grunnkretser, Source::Schools],
        "{:?}",
        report.failed
    );
    let message = |s: Source| failed[&s].to_string();
    assert!(
        message(Source::Kindergartens).contains("HTTP 500")
            && message(Source::Kindergartens).contains("after 3 attempts"),
        "{}",
        message(Source::Kindergartens)
    );
    assert!(
        message(Source::Kindergartens)
            .contains(&format!("{}/nbr/v4/enheter/kommune/3301", server.base))
    );
    assert!(
        message(Source::Addresses).contains("damaged"),
        "{}",
        message(Source::Addresses)
    );
    assert!(
        message(Source::Population).contains("Grunnkretser"),
        "{}",
        message(Source::Population)
    );
    assert!(
        message(Source::SportsFacilities).contains("timed out"),
        "{}",
        message(Source::SportsFacilities)
    );
    assert!(message(Source::Kindergartens).starts_with("kindergartens: "));
    // Nothing of a failed source changed: its files and manifest entry are the earlier ones.
    let files_after: Vec<Vec<u8>> = [
        "adresser.csv",
        "barnehager.geojson",
        "befolkning-04317.csv",
        "anlegg.geojson",
    ]
    .iter()
    .map(|f| std::fs::read(out.join(f)).unwrap())
    .collect();
    assert!(
        files_before == files_after,
        "a failed source's files changed"
    );
    let now = Manifest::read(&out).unwrap();
    for s in [
        Source::Addresses,
        Source::Kindergartens,
        Source::Population,
        Source::SportsFacilities,
    ] {
        assert_eq!(
            now.sources[s.name()],
            earlier.sources[s.name()],
            "{}",
            s.name()
        );
    }
    assert!(!out.join(".staging").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cut_off_download_resumes_where_it_stopped() {
    let server = FixtureServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let zip = fixtures().join("files/Basisdata_3301_Drammen_25832_MatrikkelenAdresse_CSV.zip");
    let whole = std::fs::read(&zip).unwrap();
    let dest = dir.path().join("a.zip");
    // The first 60 % arrived before the line dropped.
    std::fs::write(dest.with_extension("part"), &whole[..whole.len() * 6 / 10]).unwrap();
    let url = format!(
        "{}/files/Basisdata_3301_Drammen_25832_MatrikkelenAdresse_CSV.zip",
        server.base
    );
    let got = quick_http()
        .download(Source::Addresses, &url, &dest, None)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), whole);
    assert_eq!(got.bytes, whole.len() as u64);
    assert_eq!(server.count("/files/", 206), 1, "asked for the rest only");
}

/// Without `--osm`, the country's extract is downloaded once into the shared cache, asked
/// for again conditionally (304, no body), and hard-linked into each kommune's folder, so a
/// later download (or a refused one) does not change a folder that has it.
#[tokio::test(flavor = "multi_thread")]
async fn the_country_extract_is_downloaded_once_and_cached() {
    let server = FixtureServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::fs::read(fixtures().join("osm/norway-latest.osm.pbf")).unwrap();
    let first = dir.path().join("first");
    let report = run(&server, &first, &[Source::Osm]).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(std::fs::read(first.join("osm.pbf")).unwrap(), fixture);
    let entry = &Manifest::read(&first).unwrap().sources["osm"];
    let url = format!("{}/osm/norway-latest.osm.pbf", server.base);
    assert_eq!(entry.urls.len(), 1);
    assert_eq!(entry.urls[0], url);
    assert_eq!(entry.files[0].bytes, fixture.len() as u64);
    assert_eq!(
        entry.files[0].sha256,
        naermiljo::fetch::http::hex(&<sha2::Sha256 as sha2::Digest>::digest(&fixture))
    );
    assert!(entry.files[0].etag.is_some(), "the validator is kept");
    assert_eq!(entry.licence, "ODbL 1.0");
    let cached = dir.path().join("osm-cache/norway-latest.osm.pbf");
    assert_eq!(std::fs::read(&cached).unwrap(), fixture);
    assert_eq!(server.count("/osm/", 200), 1);

    // Another folder on the same machine: asked conditionally, answered 304, not sent again.
    let second = dir.path().join("second");
    let report = run(&server, &second, &[Source::Osm]).await;
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(server.count("/osm/", 200), 1, "downloaded once");
    assert_eq!(server.count("/osm/", 304), 1);
    assert_eq!(std::fs::read(second.join("osm.pbf")).unwrap(), fixture);
    assert_eq!(
        report.fetched[0].1.files[0].sha256, entry.files[0].sha256,
        "the cache's recorded hash, for the same file"
    );
    assert!(
        report.fetched[0].1.notes[0].contains("unchanged"),
        "{:?}",
        report.fetched[0].1.notes
    );

    // The publisher now answers something that is not a PBF: refused, named, nothing of
    // either folder changes, and the cache does not keep it.
    server.alias(
        "/osm/norway-latest.osm.pbf",
        "nsr/v4/enheter/kommune/3301.json",
    );
    let before = Manifest::read(&first).unwrap();
    let report = run(&server, &first, &[Source::Osm]).await;
    assert_eq!(report.failed.len(), 1);
    let message = report.failed[0].to_string();
    assert!(
        message.starts_with("osm: ")
            && message.contains(&url)
            && message.contains("not an OSM PBF"),
        "{message}"
    );
    assert_eq!(Manifest::read(&first).unwrap(), before);
    for folder in [&first, &second] {
        assert_eq!(std::fs::read(folder.join("osm.pbf")).unwrap(), fixture);
    }
    assert!(!cached.exists(), "a refused download is not cached");

    // The publisher is down: the message says how to go on without it.
    server.script("/osm/norway-latest.osm.pbf", &[(500, "down", 0); 3]);
    let report = run(&server, &first, &[Source::Osm]).await;
    let message = report.failed[0].to_string();
    assert!(
        message.contains("HTTP 500") && message.contains("--osm FILE"),
        "{message}"
    );
    assert_eq!(Manifest::read(&first).unwrap(), before);
}

#[test]
fn the_command_says_what_failed_and_exits_non_zero() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(FixtureServer::start());
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = crate::common::naermiljo(dir.path());
    let e = server.endpoints();
    cmd.args(["fetch", "--kommune", "3301", "--source", "kommune,schools"])
        .arg("--out")
        .arg(dir.path().join("k"))
        .args(["--endpoint", &format!("kommuneinfo={}", e.kommuneinfo)])
        // A mirror that does not have the school register.
        .args(["--endpoint", &format!("nsr={}/missing", server.base)]);
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("schools: ")
            && stderr.contains("/missing/enheter/kommune/3301")
            && stderr.contains("404"),
        "{stderr}"
    );
    assert!(
        stderr.contains("kommune: kommune.geojson") && stderr.contains("© Kartverket"),
        "{stderr}"
    );
    for bad in [
        &["fetch", "--kommune", "330"][..],
        &["fetch", "--kommune", "3301", "--endpoint", "nsr=ftp://x"],
    ] {
        let out = crate::common::naermiljo(dir.path())
            .args(bad)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("kommune number") || stderr.contains("not an http(s) URL"),
            "{stderr}"
        );
    }
    drop(rt);
}

#[test]
fn setup_fetches_and_imports_in_one_command() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(FixtureServer::start());
    let dir = tempfile::tempdir().unwrap();
    let e = server.endpoints();
    let out = crate::common::naermiljo(dir.path())
        .args(["setup", "--kommune", "3301", "--source", "kommune,schools"])
        .args(["--endpoint", &format!("kommuneinfo={}", e.kommuneinfo)])
        .args(["--endpoint", &format!("nsr={}", e.nsr)])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(dir.path().join("kommune-3301/manifest.json").is_file());
    assert!(
        stdout.contains("kommune: ") && stdout.contains("schools: "),
        "{stdout}"
    );
    let status = crate::common::naermiljo(dir.path())
        .arg("status")
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(status.contains("1 district polygon stored"), "{status}");
    assert!(!status.contains(" 0 facilities"), "{status}");
}
