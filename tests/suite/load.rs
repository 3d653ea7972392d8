//! A load run on loopback (issue 16): ten connections for a while, a mix of reach, items,
//! tiles, search and writes against the real binary on the Oslo extract with the demo
//! programme. Every answer is one the request should get (no 5xx, no transport error), and
//! the server's resident memory does not grow once warm.
//!
//! The test runs 12 seconds; `scripts/bench-load` runs the same for 60 seconds
//! (`NAERMILJO_LOAD_SECONDS=60`) and prints the figures for docs/BENCHMARKS.md.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{Server, naermiljo, oslo_pbf, run_naermiljo};

const CONNECTIONS: usize = 10;

/// Resident memory of process `pid`, in KiB (Linux `/proc/PID/status`, `VmRSS`).
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmRSS in /proc/{pid}/status"))
}

#[derive(Default)]
struct Tally {
    requests: AtomicU64,
    writes: AtomicU64,
    errors: AtomicU64,
}

/// What the clients share.
struct Run {
    client: reqwest::Client,
    base: String,
    token: String,
    /// Points to stand at: the facilities' places.
    points: Vec<(f64, f64)>,
    tally: Tally,
    /// The first errors, said when the test fails.
    errors: std::sync::Mutex<Vec<String>>,
}

/// Round `i` of the mix from client `n`: the answers' statuses must be these.
/// A JSON answer.
async fn json_of(r: reqwest::Response) -> Value {
    serde_json::from_slice(&r.bytes().await.unwrap()).unwrap()
}

async fn round(run: &Run, n: usize, i: usize) {
    let Run {
        client,
        base,
        token,
        points,
        tally,
        errors,
    } = run;
    let (lon, lat) = points[(n * 7919 + i * 104_729) % points.len()];
    let fail = |what: String| {
        tally.errors.fetch_add(1, Ordering::Relaxed);
        let mut e = errors.lock().unwrap();
        if e.len() < 20 {
            e.push(what);
        }
    };
    let get = |path: String| async move {
        let r = client.get(format!("{base}{path}")).send().await;
        (path, r)
    };
    // Tiles around the point, zoom 14.
    let (x, y) = {
        let z = 14f64.exp2();
        let x = ((lon + 180.0) / 360.0 * z) as u32;
        let lat_r = lat.to_radians();
        let y = ((1.0 - (lat_r.tan() + 1.0 / lat_r.cos()).ln() / std::f64::consts::PI) / 2.0 * z)
            as u32;
        (x, y)
    };
    let reads = [
        format!("/api/reach?lon={lon}&lat={lat}&minutes=10"),
        format!(
            "/api/collections/facilities/items?bbox={},{},{},{}&limit=50",
            lon - 0.01,
            lat - 0.005,
            lon + 0.01,
            lat + 0.005
        ),
        format!("/tiles/facilities/14/{x}/{y}.mvt"),
        format!("/tiles/addresses/15/{}/{}.mvt", x * 2, y * 2),
        format!(
            "/api/search?q={}",
            ["sagene", "skole", "park", "torg"][i % 4]
        ),
        format!("/api/collections/activities/items?lon={lon}&lat={lat}&minutes=15"),
    ];
    for path in reads {
        let (path, r) = get(path).await;
        tally.requests.fetch_add(1, Ordering::Relaxed);
        match r {
            Ok(r) if [200, 204].contains(&r.status().as_u16()) => {
                let _ = r.bytes().await;
            }
            Ok(r) => fail(format!("GET {path}: {}", r.status())),
            Err(e) => fail(format!("GET {path}: {e}")),
        }
    }
    // Every third round a write: create an activity, change it, delete it.
    if !i.is_multiple_of(3) {
        return;
    }
    let auth = format!("Bearer {token}");
    let body = json!({
        "title": format!("Lasttest {n}-{i}"),
        "category": "sport",
        "age_min": 8, "age_max": 12, "price_nok": 0,
        "place": { "lon": lon, "lat": lat },
        "schedule": { "sessions": [{ "weekday": 2, "start": "17:00", "end": "18:30" }] },
    });
    let created = client
        .post(format!("{base}/api/collections/activities/items"))
        .header("Authorization", &auth)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await;
    tally.requests.fetch_add(1, Ordering::Relaxed);
    let created = match created {
        Ok(r) if r.status() == 201 => r,
        Ok(r) => {
            let status = r.status();
            return fail(format!(
                "POST: {status} {}",
                r.text().await.unwrap_or_default()
            ));
        }
        Err(e) => return fail(format!("POST: {e}")),
    };
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let etag = created.headers()["etag"].to_str().unwrap().to_string();
    let patched = client
        .patch(&location)
        .header("Authorization", &auth)
        .header("If-Match", &etag)
        .header("Content-Type", "application/merge-patch+json")
        .body(json!({ "title": format!("Lasttest {n}-{i} endret") }).to_string())
        .send()
        .await;
    tally.requests.fetch_add(1, Ordering::Relaxed);
    let etag = match patched {
        Ok(r) if r.status() == 200 => r.headers()["etag"].to_str().unwrap().to_string(),
        Ok(r) => return fail(format!("PATCH {location}: {}", r.status())),
        Err(e) => return fail(format!("PATCH {location}: {e}")),
    };
    let deleted = client
        .delete(&location)
        .header("Authorization", &auth)
        .header("If-Match", &etag)
        .send()
        .await;
    tally.requests.fetch_add(1, Ordering::Relaxed);
    match deleted {
        Ok(r) if r.status() == 204 => {
            tally.writes.fetch_add(3, Ordering::Relaxed);
        }
        Ok(r) => fail(format!("DELETE {location}: {}", r.status())),
        Err(e) => fail(format!("DELETE {location}: {e}")),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_connections_of_mixed_work_get_no_errors_and_memory_stays_flat() {
    let seconds: u64 = std::env::var("NAERMILJO_LOAD_SECONDS")
        .ok()
        .map(|s| s.parse().expect("NAERMILJO_LOAD_SECONDS: whole seconds"))
        .unwrap_or(12);
    assert!(seconds >= 3, "NAERMILJO_LOAD_SECONDS: at least 3");
    let dir = tempfile::tempdir().unwrap();
    run_naermiljo(
        dir.path(),
        &["import", "osm", &oslo_pbf().to_string_lossy()],
    );
    run_naermiljo(dir.path(), &["demo-programme"]);
    let token = run_naermiljo(
        dir.path(),
        &[
            "token", "create", "--org", "1", "--role", "admin", "--label", "load",
        ],
    )
    .lines()
    .last()
    .unwrap()
    .to_string();
    let server = Server::start(naermiljo(dir.path()), &[]);
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONNECTIONS)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    // Points to stand at: the facilities' places.
    let facilities: Value = json_of(
        client
            .get(format!(
                "{base}/api/collections/facilities/items?limit=1000"
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    // Points to stand at: 120 facilities' places, those on the walking network (a point
    // more than 500 m from it is rightly a 422, which is not what this run measures). A
    // fixed set: once every answer about them is cached, memory must stay flat.
    let mut points: Vec<(f64, f64)> = Vec::new();
    for f in facilities["features"].as_array().unwrap().iter().take(120) {
        let c = &f["geometry"]["coordinates"];
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        let r = client
            .get(format!("{base}/api/reach?lon={lon}&lat={lat}&minutes=1"))
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            points.push((lon, lat));
        }
    }
    assert!(
        points.len() > 60,
        "{} facilities on the network",
        points.len()
    );
    let run = Arc::new(Run {
        client: client.clone(),
        base: base.clone(),
        token,
        points,
        tally: Tally::default(),
        errors: std::sync::Mutex::new(Vec::new()),
    });
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|n| {
            let run = run.clone();
            tokio::spawn(async move {
                let mut i = 0;
                while Instant::now() < until {
                    round(&run, n, i).await;
                    i += 1;
                }
            })
        })
        .collect();
    // Resident memory each half second, from the server's own process.
    let mut rss = Vec::new();
    while Instant::now() < until {
        rss.push(rss_kib(server.pid()));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    for w in workers {
        w.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let requests = run.tally.requests.load(Ordering::Relaxed);
    let errs = run.tally.errors.load(Ordering::Relaxed);
    // Warm after the first third: caches filled, pools grown. From then on the largest
    // resident size may not exceed the warm one by more than 10 % (and 16 MiB of slack for
    // allocator noise on a short run).
    let warm = rss[rss.len() / 3..rss.len() / 2]
        .iter()
        .copied()
        .max()
        .unwrap();
    let last = rss[rss.len() * 2 / 3..].iter().copied().max().unwrap();
    eprintln!(
        "load: {seconds} s, {CONNECTIONS} connections: {requests} requests ({:.0}/s), {} writes, \
         {errs} errors; RSS warm {} MiB, end {} MiB, peak {} MiB",
        requests as f64 / elapsed,
        run.tally.writes.load(Ordering::Relaxed),
        warm / 1024,
        last / 1024,
        rss.iter().max().unwrap() / 1024,
    );
    assert_eq!(errs, 0, "errors: {:?}", run.errors.lock().unwrap());
    assert!(requests > 100, "only {requests} requests in {seconds} s");
    assert!(
        last <= warm + warm / 10 + 16 * 1024,
        "resident memory grew from {warm} KiB to {last} KiB: {rss:?}"
    );
    // And the server still answers, with nothing of the run left behind.
    let left: Value = json_of(
        client
            .get(format!(
                "{base}/api/collections/activities/items?q=Lasttest"
            ))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(left["features"].as_array().unwrap().len(), 0, "{left}");
}
