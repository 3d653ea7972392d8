//! District timings (issue #13): assigning addresses to grunnkretser by point-in-polygon at
//! Norway's scale (2.6 million points, 15,000 polygons, synthetic), and the per-level
//! coverage table on the Oslo demo on top of the nearest-facility times.
//!
//! The polygons are a Voronoi partition of 15,000 seeds over 600 × 600 km of southern
//! Norway (made by `index::partition`, itself timed), each edge cut into 16 pieces so a
//! polygon has about 100 vertices, as grunnkretser do; the points are drawn around the
//! seeds (people live where the grunnkretser are small). With `BENCH_EXPORT=DIR` the
//! polygons (WKT), the points and our answer are written for scripts/districts_peer.py,
//! which times GEOS (shapely's STRtree) on the same question and compares the answers.

use std::io::Write;
use std::time::Instant;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use naermiljo::coverage::{self, View};
use naermiljo::domain::{District, KindFilter, LonLat};
use naermiljo::routing::Profile;
use naermiljo::store::{SqliteStore, Store};

const POLYGONS: usize = 15_000;
const POINTS: usize = 2_600_000;
const PIECES_PER_EDGE: usize = 16;

fn densify(ring: &LineString<f64>) -> LineString<f64> {
    let mut out = Vec::with_capacity(ring.0.len() * PIECES_PER_EDGE);
    for w in ring.0.windows(2) {
        for k in 0..PIECES_PER_EDGE {
            let t = k as f64 / PIECES_PER_EDGE as f64;
            out.push(Coord {
                x: w[0].x + (w[1].x - w[0].x) * t,
                y: w[0].y + (w[1].y - w[0].y) * t,
            });
        }
    }
    out.push(ring.0[0]);
    LineString(out)
}

#[tokio::main]
async fn main() {
    let export = std::env::var_os("BENCH_EXPORT").map(std::path::PathBuf::from);
    let mut rng = naermiljo::demo::Rng(13);
    // Southern Norway: lon 5–15, lat 58–63.5 (about 600 km square at 60° N).
    let (lon0, lat0, dlon, dlat) = (5.0, 58.0, 10.0, 5.5);
    let seeds: Vec<LonLat> = (0..POLYGONS)
        .map(|_| LonLat::new(lon0 + rng.unit() * dlon, lat0 + rng.unit() * dlat))
        .collect();
    let groups: Vec<u32> = (0..POLYGONS as u32).collect();
    let clip = MultiPolygon(vec![
        geo::Rect::new(
            Coord { x: lon0, y: lat0 },
            Coord {
                x: lon0 + dlon,
                y: lat0 + dlat,
            },
        )
        .to_polygon(),
    ]);
    let started = Instant::now();
    let cells = naermiljo::index::partition::partition(&seeds, &groups, POLYGONS, &clip);
    let partition_s = started.elapsed().as_secs_f64();
    let districts: Vec<District> = cells
        .into_iter()
        .enumerate()
        .map(|(i, mp)| District {
            id: i.to_string(),
            code: format!("{i:08}"),
            name: format!("G{i}"),
            level: "grunnkrets".into(),
            geometry: MultiPolygon(
                mp.0.iter()
                    .map(|p| Polygon::new(densify(p.exterior()), vec![]))
                    .collect(),
            ),
            population: None,
            population_sum: false,
            parent: None,
            source: None,
        })
        .collect();
    let vertices: usize = districts
        .iter()
        .map(|d| {
            d.geometry
                .0
                .iter()
                .map(|p| p.exterior().0.len())
                .sum::<usize>()
        })
        .sum();
    // Points: each near a random seed (within about 3 km), like homes near where grunnkretser are.
    let points: Vec<LonLat> = (0..POINTS)
        .map(|_| {
            let s = seeds[(rng.unit() * POLYGONS as f64) as usize % POLYGONS];
            let p = LonLat::new(
                s.lon + (rng.unit() - 0.5) * 0.1,
                s.lat + (rng.unit() - 0.5) * 0.05,
            );
            // Kept off the box's edge, which only floating point decides.
            LonLat::new(
                p.lon.clamp(lon0 + 1e-6, lon0 + dlon - 1e-6),
                p.lat.clamp(lat0 + 1e-6, lat0 + dlat - 1e-6),
            )
        })
        .collect();
    println!(
        "{POLYGONS} polygons ({vertices} vertices, {:.0} per polygon) made by the Voronoi partition in {partition_s:.2} s",
        vertices as f64 / POLYGONS as f64
    );

    let mut runs = Vec::new();
    let mut answer = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        answer = naermiljo::index::districts::locate_points(&districts, &points);
        runs.push(started.elapsed().as_secs_f64());
    }
    runs.sort_by(f64::total_cmp);
    let located = answer.iter().filter(|a| a.is_some()).count();
    println!(
        "ours: {POINTS} points → {POLYGONS} polygons by point-in-polygon (R-tree of boxes, then geo's intersects), one thread: best {:.2} s, median {:.2} s of 3; {located} located",
        runs[0], runs[1]
    );

    if let Some(dir) = &export {
        std::fs::create_dir_all(dir).unwrap();
        let mut w =
            std::io::BufWriter::new(std::fs::File::create(dir.join("polygons.wkt")).unwrap());
        for d in &districts {
            let polygons: Vec<String> = d
                .geometry
                .0
                .iter()
                .map(|p| {
                    let ring: Vec<String> = p
                        .exterior()
                        .0
                        .iter()
                        .map(|c| format!("{} {}", c.x, c.y))
                        .collect();
                    format!("(({}))", ring.join(", "))
                })
                .collect();
            writeln!(w, "MULTIPOLYGON ({})", polygons.join(", ")).unwrap();
        }
        let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("points.bin")).unwrap());
        for p in &points {
            w.write_all(&p.lon.to_le_bytes()).unwrap();
            w.write_all(&p.lat.to_le_bytes()).unwrap();
        }
        let mut w = std::io::BufWriter::new(std::fs::File::create(dir.join("ours.bin")).unwrap());
        for a in &answer {
            w.write_all(&a.map_or(-1i32, |x| x as i32).to_le_bytes())
                .unwrap();
        }
    }

    // The per-level coverage table on the Oslo demo, on top of the nearest-school times.
    let shared = std::env::var("NAERMILJO_SHARED_DATA").unwrap_or_else(|_| "../shared/data".into());
    let pbf = std::path::Path::new(&shared).join("oslo_fallback/oslo-center.osm.pbf");
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("bench.sqlite"))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let cmd = naermiljo::cli::ImportCommand::osm(pbf);
    naermiljo::cli::import(&store, cmd, &indicatif::ProgressBar::hidden())
        .await
        .unwrap();
    let started = Instant::now();
    let s = naermiljo::index::Snapshot::build(store.load().await.unwrap());
    println!(
        "Oslo demo snapshot (bydeler from OSM, postcode partition of {} addresses) built in {:.0} ms",
        s.addresses.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let times = coverage::address_times(
        &s,
        &KindFilter::parse("school").unwrap(),
        Profile::Walk,
        &[],
        &[],
    )
    .unwrap();
    for (l, level) in s.levels.iter().enumerate() {
        let view = View {
            level: Some(l),
            parent: None,
        };
        let n = 1000;
        let started = Instant::now();
        for _ in 0..n {
            std::hint::black_box(coverage::aggregate_at(&s, &times, 10, Profile::Walk, view));
        }
        println!(
            "coverage table at level {} ({} districts): {:.0} µs per table (mean of {n})",
            level.level,
            level.districts.len(),
            started.elapsed().as_secs_f64() * 1e6 / n as f64
        );
    }
}
