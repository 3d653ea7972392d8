//! The sea, from OSM coastlines: the sea has no polygon in OSM, only `natural=coastline`
//! ways with the land on their left. Within the extract's bounding box, the coastline
//! pieces are joined to the box edge, walking it clockwise, into polygons with the sea on
//! the inside; closed coastline rings inside (islands) become holes.
//!
//! All in lon/lat; the box is small enough that its edges are straight in either projection.

use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};

/// The extract's bounds.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub min: Coord<f64>,
    pub max: Coord<f64>,
}

const EPS: f64 = 1e-9;

impl Bounds {
    fn inside(&self, c: Coord<f64>) -> bool {
        c.x >= self.min.x - EPS
            && c.x <= self.max.x + EPS
            && c.y >= self.min.y - EPS
            && c.y <= self.max.y + EPS
    }

    /// Position along the edge, clockwise from the north-west corner, in 0..4.
    fn perimeter(&self, c: Coord<f64>) -> f64 {
        let (w, h) = (self.max.x - self.min.x, self.max.y - self.min.y);
        if (c.y - self.max.y).abs() < EPS {
            (c.x - self.min.x) / w
        } else if (c.x - self.max.x).abs() < EPS {
            1.0 + (self.max.y - c.y) / h
        } else if (c.y - self.min.y).abs() < EPS {
            2.0 + (self.max.x - c.x) / w
        } else {
            3.0 + (c.y - self.min.y) / h
        }
    }

    /// The corner at perimeter position `k`: 0 north-west, 1 north-east, 2 south-east,
    /// 3 south-west.
    fn corner(&self, k: usize) -> Coord<f64> {
        match k % 4 {
            0 => Coord {
                x: self.min.x,
                y: self.max.y,
            },
            1 => Coord {
                x: self.max.x,
                y: self.max.y,
            },
            2 => Coord {
                x: self.max.x,
                y: self.min.y,
            },
            _ => Coord {
                x: self.min.x,
                y: self.min.y,
            },
        }
    }

    /// The nearest point on the edge to `c` (inside the box), if it is within `reach`.
    fn nearest_edge(&self, c: Coord<f64>, reach: f64) -> Option<Coord<f64>> {
        let options = [
            (
                c.x - self.min.x,
                Coord {
                    x: self.min.x,
                    y: c.y,
                },
            ),
            (
                self.max.x - c.x,
                Coord {
                    x: self.max.x,
                    y: c.y,
                },
            ),
            (
                c.y - self.min.y,
                Coord {
                    x: c.x,
                    y: self.min.y,
                },
            ),
            (
                self.max.y - c.y,
                Coord {
                    x: c.x,
                    y: self.max.y,
                },
            ),
        ];
        let (d, p) = options
            .into_iter()
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .expect("four edges");
        (d.abs() <= reach).then_some(if d.abs() < EPS { c } else { p })
    }

    /// Where the segment `a`–`b` crosses the box edge, as the fraction along it (Liang–Barsky),
    /// for the part of the segment inside the box.
    fn clip(&self, a: Coord<f64>, b: Coord<f64>) -> Option<(f64, f64)> {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, a.x - self.min.x),
            (dx, self.max.x - a.x),
            (-dy, a.y - self.min.y),
            (dy, self.max.y - a.y),
        ] {
            if p.abs() < 1e-15 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        (t0 <= t1).then_some((t0, t1))
    }
}

/// Joins ways end to start (coastlines are drawn in one direction) into chains of node ids.
pub fn chains(mut ways: Vec<Vec<i64>>) -> Vec<Vec<i64>> {
    let mut out = Vec::new();
    while let Some(mut chain) = ways.pop() {
        loop {
            if chain.len() > 1 && chain.first() == chain.last() {
                break;
            }
            let end = *chain.last().expect("not empty");
            if let Some(k) = ways.iter().position(|w| w.first() == Some(&end)) {
                let next = ways.swap_remove(k);
                chain.extend_from_slice(&next[1..]);
                continue;
            }
            let start = chain[0];
            if let Some(k) = ways.iter().position(|w| w.last() == Some(&start)) {
                let mut prev = ways.swap_remove(k);
                prev.extend_from_slice(&chain[1..]);
                chain = prev;
                continue;
            }
            break;
        }
        out.push(chain);
    }
    out
}

/// Joins pieces where one ends at the very point the next starts (coastline ways that do
/// not share their node, only its position).
fn join_touching(mut pieces: Vec<Vec<Coord<f64>>>) -> Vec<Vec<Coord<f64>>> {
    let same = |a: Coord<f64>, b: Coord<f64>| (a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9;
    let mut out = Vec::new();
    while let Some(mut p) = pieces.pop() {
        while let Some(k) = pieces.iter().position(|q| {
            same(q[0], *p.last().expect("two points"))
                && !same(p[0], *p.last().expect("two points"))
        }) {
            let q = pieces.swap_remove(k);
            p.extend_from_slice(&q[1..]);
        }
        while let Some(k) = pieces
            .iter()
            .position(|q| same(*q.last().expect("two points"), p[0]))
        {
            let mut q = pieces.swap_remove(k);
            q.extend_from_slice(&p[1..]);
            p = q;
        }
        out.push(p);
    }
    out
}

/// The parts of a line inside the box, each from where it enters to where it leaves.
fn pieces_inside(line: &[Coord<f64>], b: &Bounds) -> Vec<Vec<Coord<f64>>> {
    let mut out = Vec::new();
    let mut current: Vec<Coord<f64>> = Vec::new();
    for w in line.windows(2) {
        let (a, c) = (w[0], w[1]);
        match b.clip(a, c) {
            None => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            Some((t0, t1)) => {
                let at = |t: f64| Coord {
                    x: a.x + (c.x - a.x) * t,
                    y: a.y + (c.y - a.y) * t,
                };
                if current.is_empty() {
                    current.push(at(t0));
                }
                current.push(at(t1));
                if t1 < 1.0 {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.into_iter().filter(|p| p.len() >= 2).collect()
}

/// The sea inside `b` from coastline chains (as coordinates), or `None` when there is no
/// coastline or it does not cross the box from edge to edge (an incomplete extract).
pub fn sea(lines: &[Vec<Coord<f64>>], b: &Bounds) -> Option<MultiPolygon<f64>> {
    let mut islands = Vec::new();
    let mut pieces: Vec<Vec<Coord<f64>>> = Vec::new();
    for line in lines {
        let closed = line.len() >= 4 && line.first() == line.last();
        if closed && line.iter().all(|c| b.inside(*c)) {
            islands.push(LineString(line.clone()));
        } else {
            pieces.extend(pieces_inside(line, b));
        }
    }
    let mut pieces = join_touching(pieces);
    if pieces.is_empty() {
        return None;
    }
    // Extracts cut "simply" drop a way's nodes outside the box, so a coast can stop just
    // inside it: such an end is carried straight to the nearest edge, when it is near one
    // (within a tenth of the box); farther in, the coast is too incomplete to close.
    let reach = 0.1 * (b.max.x - b.min.x).min(b.max.y - b.min.y);
    for p in &mut pieces {
        for end in [0, 1] {
            let c = if end == 0 {
                p[0]
            } else {
                *p.last().expect("two points")
            };
            let edge = b.nearest_edge(c, reach)?;
            if edge != c {
                if end == 0 {
                    p.insert(0, edge);
                } else {
                    p.push(edge);
                }
            }
        }
    }
    let mut used = vec![false; pieces.len()];
    let mut polygons = Vec::new();
    for start in 0..pieces.len() {
        if used[start] {
            continue;
        }
        let mut ring: Vec<Coord<f64>> = Vec::new();
        let mut k = start;
        loop {
            used[k] = true;
            ring.extend_from_slice(&pieces[k]);
            let exit = b.perimeter(*pieces[k].last().expect("two points"));
            // The next entry clockwise from here (the start piece's own entry included).
            let ahead = |t: f64| (t - exit).rem_euclid(4.0);
            let next = (0..pieces.len())
                .filter(|&j| !used[j] || j == start)
                .min_by(|&i, &j| {
                    ahead(b.perimeter(pieces[i][0])).total_cmp(&ahead(b.perimeter(pieces[j][0])))
                })
                .expect("the start piece is always a candidate");
            let entry = b.perimeter(pieces[next][0]);
            // The corners passed on the way, clockwise.
            let end = exit + ahead(entry);
            let mut corner = exit.floor() as usize + 1;
            while (corner as f64) < end {
                ring.push(b.corner(corner));
                corner += 1;
            }
            if next == start {
                break;
            }
            k = next;
        }
        ring.push(ring[0]);
        polygons.push(Polygon::new(LineString(ring), vec![]));
    }
    for island in islands {
        let p = Point(island.0[0]);
        if let Some(sea) = polygons.iter_mut().find(|s| s.contains(&p)) {
            sea.interiors_push(island);
        }
    }
    Some(MultiPolygon(polygons))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    #[test]
    fn a_coast_across_the_box_gives_the_sea_on_its_right() {
        let b = Bounds {
            min: c(0.0, 0.0),
            max: c(10.0, 10.0),
        };
        // West to east at y = 4: land to the north (left), sea to the south (right).
        let sea = sea(&[vec![c(-1.0, 4.0), c(5.0, 4.0), c(11.0, 4.0)]], &b).unwrap();
        assert!((sea.unsigned_area() - 40.0).abs() < 1e-9, "{sea:?}");
        assert!(sea.contains(&Point(c(5.0, 1.0))) && !sea.contains(&Point(c(5.0, 8.0))));
        // Drawn the other way, the sea is to the north.
        let north = super::sea(&[vec![c(11.0, 4.0), c(-1.0, 4.0)]], &b).unwrap();
        assert!((north.unsigned_area() - 60.0).abs() < 1e-9);
        // An island (a closed ring, land on its left) in the sea is a hole in it.
        let island = vec![
            c(6.0, 6.0),
            c(7.0, 6.0),
            c(7.0, 7.0),
            c(6.0, 7.0),
            c(6.0, 6.0),
        ];
        let with_island = super::sea(&[vec![c(11.0, 4.0), c(-1.0, 4.0)], island], &b).unwrap();
        assert!((with_island.unsigned_area() - 59.0).abs() < 1e-9);
        // A coast that ends inside the box cannot be closed: no sea rather than a wrong one.
        assert!(super::sea(&[vec![c(-1.0, 4.0), c(5.0, 4.0)]], &b).is_none());
    }

    #[test]
    fn chains_join_in_drawing_order() {
        let got = chains(vec![vec![3, 4], vec![1, 2, 3], vec![4, 5]]);
        assert_eq!(got, vec![vec![1, 2, 3, 4, 5]]);
    }
}
