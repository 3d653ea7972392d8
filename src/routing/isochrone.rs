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
/// Cells of margin around the reached area, so that contours close inside the grid.
const MARGIN_CELLS: f64 = 3.0;
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

    let reached: Vec<(NodeId, f64)> = search.reached().filter(|(_, c)| *c <= max_s).collect();
    if reached.is_empty() {
        return minutes
            .iter()
            .map(|&m| (m, geo::MultiPolygon(vec![])))
            .collect();
    }
    // The grid covers every reached node and the far ends of their edges (a partly walked
    // edge ends within its own length).
    let margin = MARGIN_CELLS * CELL_M;
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(n, _) in &reached {
        for m in std::iter::once(n).chain(g.edges_from(n).map(|e| g.head(e))) {
            let [x, y] = g.xy(m);
            min_x = min_x.min(x);
            min_y = min_y.min(y);
            max_x = max_x.max(x);
            max_y = max_y.max(y);
        }
    }
    let (x0, y0) = (min_x - margin, min_y - margin);
    let nx = (((max_x + margin - x0) / CELL_M).ceil() as usize).max(2);
    let ny = (((max_y + margin - y0) / CELL_M).ceil() as usize).max(2);
    let mut grid = vec![UNREACHED; nx * ny];

    // Negated seconds, so that "at least -T" (what contour traces) means "within T".
    // First each sample sets its nearest grid point; then one dilation step spreads every
    // value to the four neighbouring points, so that the area reaches a little sideways
    // from the path (at most half a cell's diagonal plus one cell, about 34 m).
    let (per_cell, per_metre) = (1.0 / CELL_M, 1.0 / speed);
    let mut mark = |x: f64, y: f64, t: f64| {
        let (i, j) = (
            ((x - x0) * per_cell).round() as usize,
            ((y - y0) * per_cell).round() as usize,
        );
        let (dx, dy) = (x0 + i as f64 * CELL_M - x, y0 + j as f64 * CELL_M - y);
        let total = t + (dx * dx + dy * dy).sqrt() * per_metre;
        let cell = &mut grid[j * nx + i];
        if -total > *cell {
            *cell = -total;
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
            let (a, b) = (g.xy(u), g.xy(v));
            let steps = ((len / CELL_M).ceil() as usize).max(1);
            for k in 0..=steps {
                let f = k as f64 / steps as f64;
                let s = len * f;
                let mut t = (du + s * per_metre).min(dv + (len - s) * per_metre);
                if let Some(s0) = on_origin_segment {
                    t = t.min((s - s0).abs() * per_metre);
                }
                if t <= max_s {
                    mark(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), t);
                }
            }
        }
    }

    dilate(&mut grid, nx, ny, CELL_M / speed);

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

/// One step of spreading: each grid point takes the best of itself and its four neighbours
/// less the time to walk one cell.
fn dilate(grid: &mut [f64], nx: usize, ny: usize, step_s: f64) {
    let source = grid.to_vec();
    for j in 0..ny {
        for i in 0..nx {
            let mut best = source[j * nx + i];
            if i > 0 {
                best = best.max(source[j * nx + i - 1] - step_s);
            }
            if i + 1 < nx {
                best = best.max(source[j * nx + i + 1] - step_s);
            }
            if j > 0 {
                best = best.max(source[(j - 1) * nx + i] - step_s);
            }
            if j + 1 < ny {
                best = best.max(source[(j + 1) * nx + i] - step_s);
            }
            grid[j * nx + i] = best;
        }
    }
}
