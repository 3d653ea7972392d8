//! Districts known only as a code on each address (a grunnkrets number, a postcode) turned
//! into a partition: every address's Voronoi cell, dissolved per code and clipped to the
//! area served. No two districts overlap, and every address lies inside its own district.
//!
//! The Voronoi diagram is the dual of the Delaunay triangulation (spade): the cell edge
//! between sites `u` and `v` joins the circumcentres of the two triangles on either side
//! of the Delaunay edge `u`–`v`. Dissolving cells per code needs no polygon union: the
//! region of code `G` is bounded exactly by the duals of the Delaunay edges from a site of
//! `G` to a site of another code, and taking each as the directed edge `u → v` with `u` in
//! `G`, the dual runs from the right triangle's circumcentre to the left one's, so `G`
//! lies on its left and the pieces chain into counter-clockwise outer rings and clockwise
//! holes. Four far sites around the data bound every real cell. We wrote this ourselves
//! because no crate dissolves a Voronoi diagram by label, and a general polygon union of
//! thousands of cells is much slower.
//!
//! Work is done in local metres (an equirectangular projection at the data's mean
//! latitude on the GRS80 ellipsoid, `LocalMetres` below), which keeps bisectors
//! perpendicular on the ground.

use std::collections::HashMap;

use geo::{Area, BooleanOps, Coord, LineString, MultiPolygon, Polygon};
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};

use crate::domain::LonLat;

/// How far the four bounding sites lie beyond the data, in metres.
const FAR_M: f64 = 100_000.0;

/// An equirectangular projection around a point: x east, y north, in metres, with the
/// GRS80 ellipsoid's radii of curvature at the point's latitude (meridian M and prime
/// vertical N; Snyder, *Map Projections: A Working Manual*, 1987, eq. 4-18 and 4-20).
/// Within a kommune (tens of km) areas agree with the ellipsoid's to about 0.1 %.
#[derive(Debug, Clone, Copy)]
pub struct LocalMetres {
    origin: LonLat,
    metres_per_degree_lon: f64,
    metres_per_degree_lat: f64,
}

/// GRS80 semi-major axis (m) and first eccentricity squared.
const GRS80_A: f64 = 6_378_137.0;
const GRS80_E2: f64 = 0.006_694_380_022_90;

impl LocalMetres {
    /// Around the mean of `points`.
    pub fn around(points: &[LonLat]) -> LocalMetres {
        let n = points.len().max(1) as f64;
        let lat = points.iter().map(|p| p.lat).sum::<f64>() / n;
        let lon = points.iter().map(|p| p.lon).sum::<f64>() / n;
        LocalMetres::at(LonLat::new(lon, lat))
    }

    pub fn at(origin: LonLat) -> LocalMetres {
        let phi = origin.lat.to_radians();
        let w = 1.0 - GRS80_E2 * phi.sin().powi(2);
        let meridian = GRS80_A * (1.0 - GRS80_E2) / w.powf(1.5);
        let prime_vertical = GRS80_A / w.sqrt();
        let per_degree = std::f64::consts::PI / 180.0;
        LocalMetres {
            origin,
            metres_per_degree_lon: (prime_vertical * phi.cos() * per_degree).max(1.0),
            metres_per_degree_lat: meridian * per_degree,
        }
    }

    pub fn to_metres(&self, p: LonLat) -> Coord<f64> {
        Coord {
            x: (p.lon - self.origin.lon) * self.metres_per_degree_lon,
            y: (p.lat - self.origin.lat) * self.metres_per_degree_lat,
        }
    }

    pub fn to_lonlat(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: self.origin.lon + c.x / self.metres_per_degree_lon,
            y: self.origin.lat + c.y / self.metres_per_degree_lat,
        }
    }

    pub fn polygon_to_metres(&self, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        geo::MapCoords::map_coords(mp, |c| self.to_metres(LonLat::new(c.x, c.y)))
    }

    pub fn polygon_to_lonlat(&self, mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        geo::MapCoords::map_coords(mp, |c| self.to_lonlat(c))
    }
}

struct Site {
    at: Point2<f64>,
    /// Index of the group, `None` for the four bounding sites.
    group: Option<u32>,
}

impl HasPosition for Site {
    type Scalar = f64;

    fn position(&self) -> Point2<f64> {
        self.at
    }
}

/// The region of each group: `groups` has one entry per point (its group's index, `< n`),
/// `clip` (lon/lat) is the area served. Returns `n` multipolygons in lon/lat, empty for a
/// group without points. Points at the same position count once, for the group listed
/// first there.
pub fn partition(
    points: &[LonLat],
    groups: &[u32],
    n: usize,
    clip: &MultiPolygon<f64>,
) -> Vec<MultiPolygon<f64>> {
    let mut out = vec![MultiPolygon(Vec::new()); n];
    if points.is_empty() {
        return out;
    }
    let local = LocalMetres::around(points);
    let mut seen: HashMap<(i64, i64), ()> = HashMap::new();
    let mut sites: Vec<Site> = Vec::with_capacity(points.len() + 4);
    let (mut min, mut max) = (
        Coord {
            x: f64::MAX,
            y: f64::MAX,
        },
        Coord {
            x: f64::MIN,
            y: f64::MIN,
        },
    );
    for (p, &g) in points.iter().zip(groups) {
        let c = local.to_metres(*p);
        // Positions closer than a millimetre are one site.
        let key = ((c.x * 1000.0).round() as i64, (c.y * 1000.0).round() as i64);
        if seen.insert(key, ()).is_some() {
            continue;
        }
        min = Coord {
            x: min.x.min(c.x),
            y: min.y.min(c.y),
        };
        max = Coord {
            x: max.x.max(c.x),
            y: max.y.max(c.y),
        };
        sites.push(Site {
            at: Point2::new(c.x, c.y),
            group: Some(g),
        });
    }
    for (x, y) in [
        (min.x - FAR_M, min.y - FAR_M),
        (max.x + FAR_M, min.y - FAR_M),
        (max.x + FAR_M, max.y + FAR_M),
        (min.x - FAR_M, max.y + FAR_M),
    ] {
        sites.push(Site {
            at: Point2::new(x, y),
            group: None,
        });
    }
    let Ok(triangulation) = DelaunayTriangulation::<Site>::bulk_load(sites) else {
        return out;
    };

    // Per group, its boundary pieces as (from triangle, to triangle).
    let mut pieces: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    let mut centre: HashMap<usize, Coord<f64>> = HashMap::new();
    for e in triangulation.directed_edges() {
        let Some(g) = e.from().data().group else {
            continue;
        };
        if e.to().data().group == Some(g) {
            continue;
        }
        let (Some(left), Some(right)) = (e.face().as_inner(), e.rev().face().as_inner()) else {
            continue;
        };
        for face in [left, right] {
            centre.entry(face.fix().index()).or_insert_with(|| {
                let c = face.circumcenter();
                Coord { x: c.x, y: c.y }
            });
        }
        pieces[g as usize].push((right.fix().index(), left.fix().index()));
    }

    let clip_m = local.polygon_to_metres(clip);
    for (g, edges) in pieces.into_iter().enumerate() {
        if edges.is_empty() {
            continue;
        }
        let region = rings_to_polygons(chain(edges, &centre));
        let clipped = if clip_m.0.is_empty() {
            region
        } else {
            region.intersection(&clip_m)
        };
        out[g] = local.polygon_to_lonlat(&clipped);
    }
    out
}

/// Follows directed pieces into closed rings (each piece used once).
fn chain(edges: Vec<(usize, usize)>, centre: &HashMap<usize, Coord<f64>>) -> Vec<LineString<f64>> {
    let mut next: HashMap<usize, Vec<usize>> = HashMap::new();
    for &(a, b) in &edges {
        next.entry(a).or_default().push(b);
    }
    let mut rings = Vec::new();
    for &(start, _) in &edges {
        while next.get(&start).is_some_and(|v| !v.is_empty()) {
            let mut ring = vec![centre[&start]];
            let mut at = start;
            while let Some(to) = next.get_mut(&at).and_then(Vec::pop) {
                ring.push(centre[&to]);
                at = to;
                if at == start {
                    break;
                }
            }
            if ring.len() >= 4 && at == start {
                rings.push(LineString(ring));
            }
        }
    }
    rings
}

/// Counter-clockwise rings are outer rings, clockwise ones holes of the smallest outer
/// ring around them.
fn rings_to_polygons(rings: Vec<LineString<f64>>) -> MultiPolygon<f64> {
    use geo::Contains;
    let (mut outers, mut holes): (Vec<_>, Vec<_>) = (Vec::new(), Vec::new());
    for ring in rings {
        let area = Polygon::new(ring.clone(), vec![]).signed_area();
        if area > 0.0 {
            outers.push((area, ring, Vec::new()));
        } else if area < 0.0 {
            holes.push(ring);
        }
    }
    outers.sort_by(|a, b| a.0.total_cmp(&b.0));
    for hole in holes {
        let probe = geo::Point(hole.0[0]);
        if let Some(outer) = outers
            .iter_mut()
            .find(|o| Polygon::new(o.1.clone(), vec![]).contains(&probe))
        {
            outer.2.push(hole);
        }
    }
    MultiPolygon(
        outers
            .into_iter()
            .map(|(_, ring, holes)| Polygon::new(ring, holes))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Contains;

    fn square(min: (f64, f64), max: (f64, f64)) -> MultiPolygon<f64> {
        MultiPolygon(vec![
            geo::Rect::new(Coord { x: min.0, y: min.1 }, Coord { x: max.0, y: max.1 }).to_polygon(),
        ])
    }

    #[test]
    fn cells_dissolve_per_group_without_overlap_and_hold_their_points() {
        // A 12 × 12 grid of points 0.001° apart; group by column third, and one point of
        // group 0 in the middle of group 1's block (an enclave).
        let mut points = Vec::new();
        let mut groups = Vec::new();
        for i in 0..12 {
            for j in 0..12 {
                points.push(LonLat::new(
                    10.0 + i as f64 * 0.001,
                    59.0 + j as f64 * 0.001,
                ));
                groups.push(if i == 6 && j == 6 { 0 } else { (i / 4) as u32 });
            }
        }
        let clip = square((9.9995, 58.9995), (10.0115, 59.0115));
        let parts = partition(&points, &groups, 3, &clip);
        for (p, &g) in points.iter().zip(&groups) {
            let point = geo::Point::new(p.lon, p.lat);
            assert!(
                parts[g as usize].contains(&point),
                "{p:?} outside group {g}"
            );
            for (other, part) in parts.iter().enumerate() {
                if other != g as usize {
                    assert!(!part.contains(&point), "{p:?} also in group {other}");
                }
            }
        }
        let area: f64 = parts.iter().map(|p| p.unsigned_area()).sum();
        let clip_area = clip.unsigned_area();
        // The boolean operations snap to a fine integer grid: equal to a part in a million.
        assert!(
            (area - clip_area).abs() < clip_area * 1e-6,
            "{area} vs {clip_area}"
        );
        let overlap = parts[0].intersection(&parts[1]).unsigned_area();
        assert!(overlap < clip_area * 1e-6, "overlap {overlap}");
        // The enclave is an island of group 0 inside group 1: group 1 has a hole there.
        assert!(parts[1].0.iter().any(|p| !p.interiors().is_empty()));
        assert!(parts[0].0.len() >= 2);
        assert!(parts[2].intersection(&parts[0]).unsigned_area() < clip_area * 1e-6);
    }

    #[test]
    fn a_single_group_fills_the_clip() {
        let points = [LonLat::new(10.0, 59.0), LonLat::new(10.001, 59.0)];
        let clip = square((9.99, 58.99), (10.01, 59.01));
        let parts = partition(&points, &[0, 0], 1, &clip);
        let (a, b) = (parts[0].unsigned_area(), clip.unsigned_area());
        assert!((a - b).abs() < b * 1e-6, "{a} vs {b}");
    }
}
