//! Isochrone polygons from a finished search: a travel-time grid in local metres, filled
//! only along the reached edges (so polygons follow streets and paths, and do not jump
//! across water or closed blocks the way a hull does), contoured per band by marching
//! squares (the `contour` crate), simplified, and returned in lon/lat.

use contour::ContourBuilder;
use geo::{MapCoords, Simplify};

use super::search::Search;
use super::snap::Snapped;
use super::{NodeId, Profile, WalkGraph};

/// Grid spacing in metres: fine enough to follow a street, coarse enough to be quick.
pub const CELL_M: f64 = 20.0;
/// How far the area reaches sideways from a reached edge, in metres: enough for grid points
/// on both sides of a street to join up, little enough not to bridge a block.
const LATERAL_M: f64 = 1.25 * CELL_M;
/// Grid points within [`LATERAL_M`] of a sample are at most this many cells from its nearest.
const LATERAL_CELLS: i64 = 1;
/// Vertices closer than this to the simplified line are dropped, in metres.
const SIMPLIFY_M: f64 = 4.0;
/// Value of a grid point no edge reaches: below every threshold.
const UNREACHED: f64 = -1.0e9;

/// One polygon per band, all area within `minutes` of the origin (bands nest: the 10-minute
/// polygon contains the 5-minute one). `search` must have run with a budget of at least
/// the largest band. `origin` is the snapped start, used for its own segment.
pub fn bands(
    g: &WalkGraph,
    search: &Search,
    profile: Profile,
    origin: Option<&Snapped>,
    minutes: &[u32],
) -> Vec<(u32, geo::MultiPolygon<f64>)> {
    let max_s = minutes.iter().copied().max().unwrap_or(0) as f64 * 60.0;
    let speed = profile.speed_mps();
    let proj = g.projection();

    // The grid covers every reached node plus the part of an edge walkable past it.
    let reached: Vec<(NodeId, f64)> = search.reached().filter(|(_, c)| *c <= max_s).collect();
    if reached.is_empty() {
        return minutes
            .iter()
            .map(|&m| (m, geo::MultiPolygon(vec![])))
            .collect();
    }
    let margin = (LATERAL_CELLS + 2) as f64 * CELL_M;
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(n, c) in &reached {
        let [x, y] = proj.project(g.position(n));
        let reach = (max_s - c) * speed; // can walk this far beyond n along an edge
        min_x = min_x.min(x - reach);
        min_y = min_y.min(y - reach);
        max_x = max_x.max(x + reach);
        max_y = max_y.max(y + reach);
    }
    let (x0, y0) = (min_x - margin, min_y - margin);
    let nx = (((max_x + margin - x0) / CELL_M).ceil() as usize).max(2);
    let ny = (((max_y + margin - y0) / CELL_M).ceil() as usize).max(2);
    let mut grid = vec![UNREACHED; nx * ny];

    // Negated seconds, so that "at least -T" (what contour traces) means "within T".
    let mut mark = |x: f64, y: f64, t: f64| {
        let (ci, cj) = (
            ((x - x0) / CELL_M).round() as i64,
            ((y - y0) / CELL_M).round() as i64,
        );
        for dj in -LATERAL_CELLS..=LATERAL_CELLS {
            for di in -LATERAL_CELLS..=LATERAL_CELLS {
                let (i, j) = (ci + di, cj + dj);
                if i < 0 || j < 0 || i >= nx as i64 || j >= ny as i64 {
                    continue;
                }
                let (gx, gy) = (x0 + i as f64 * CELL_M, y0 + j as f64 * CELL_M);
                let lateral = (gx - x).hypot(gy - y);
                if lateral > LATERAL_M {
                    continue;
                }
                let total = t + lateral / speed;
                let cell = &mut grid[j as usize * nx + i as usize];
                if -total > *cell {
                    *cell = -total;
                }
            }
        }
    };

    for &(u, du) in &reached {
        for e in g.edges_from(u) {
            if !profile.allows(g.flags(e)) {
                continue;
            }
            let v = g.head(e);
            let dv = search.cost_or_inf(v);
            // Each segment once when both ends are reached; from the reached end otherwise.
            if dv.is_finite() && dv <= max_s && v < u {
                continue;
            }
            let len = g.length_m(e);
            let on_origin_segment =
                origin
                    .filter(|o| o.edge == e || o.edge == g.twin(e))
                    .map(|o| {
                        if o.edge == e {
                            o.fraction * len
                        } else {
                            (1.0 - o.fraction) * len
                        }
                    });
            let (a, b) = (proj.project(g.position(u)), proj.project(g.position(v)));
            let steps = ((len / (CELL_M / 2.0)).ceil() as usize).max(1);
            for k in 0..=steps {
                let s = len * k as f64 / steps as f64;
                let mut t = (du + s / speed).min(dv + (len - s) / speed);
                if let Some(s0) = on_origin_segment {
                    t = t.min((s - s0).abs() / speed);
                }
                if t <= max_s {
                    let f = s / len.max(f64::MIN_POSITIVE);
                    mark(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), t);
                }
            }
        }
    }

    let thresholds: Vec<f64> = minutes.iter().map(|&m| -(m as f64 * 60.0)).collect();
    // contour places value (i, j) at (i + 0.5, j + 0.5) cells from its origin.
    let builder = ContourBuilder::new(nx, ny, true)
        .x_origin(x0 - CELL_M / 2.0)
        .y_origin(y0 - CELL_M / 2.0)
        .x_step(CELL_M)
        .y_step(CELL_M);
    let contours = builder
        .contours(&grid, &thresholds)
        .expect("the grid has nx × ny values");
    minutes
        .iter()
        .zip(contours)
        .map(|(&m, c)| {
            let metres = c.geometry().simplify(SIMPLIFY_M);
            let lonlat = metres.map_coords(|c| {
                let p = proj.unproject([c.x, c.y]).rounded();
                geo::Coord { x: p.lon, y: p.lat }
            });
            (m, lonlat)
        })
        .collect()
}
