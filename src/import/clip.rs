//! Cutting a large OSM extract (a region's, or Norway's) to one kommune while reading it,
//! the way `osmium extract --strategy complete_ways` does: every node inside the area, every
//! way with at least one such node (whole, with all its nodes), and every relation with such
//! a node or way as a member. So no external tool is needed, and memory follows the kommune,
//! not the file: the first two passes keep only ids.
//!
//! The area is the kommune's polygon widened by a buffer (default 3 km, so schools, halls
//! and paths just across the border that residents use are kept), buffered in local metres
//! (`LocalMetres`) with geo's `Buffer`.

use std::path::Path;

use geo::{BoundingRect, Buffer, Contains, MultiPolygon};
use osmpbf::{BlobDecode, BlobReader, Element, RelMemberType};
use rustc_hash::FxHashSet as HashSet;

use super::ImportError;
use crate::index::partition::LocalMetres;

/// The default widening of a kommune's polygon, in metres.
pub const DEFAULT_BUFFER_M: f64 = 3000.0;

/// The area to keep, in lon/lat.
#[derive(Debug, Clone)]
pub struct Clip {
    pub area: MultiPolygon<f64>,
    pub bounds: geo::Rect<f64>,
}

impl Clip {
    /// `boundary` (lon/lat) widened by `buffer_m` metres.
    pub fn around(boundary: &MultiPolygon<f64>, buffer_m: f64) -> Clip {
        let points: Vec<crate::domain::LonLat> = boundary
            .0
            .iter()
            .flat_map(|p| p.exterior().0.iter())
            .map(|c| crate::domain::LonLat::new(c.x, c.y))
            .collect();
        let local = LocalMetres::around(&points);
        let metric = local.polygon_to_metres(boundary);
        let widened = if buffer_m > 0.0 {
            metric.buffer(buffer_m)
        } else {
            metric
        };
        let area = local.polygon_to_lonlat(&widened);
        let bounds = area.bounding_rect().unwrap_or(geo::Rect::new(
            geo::coord! { x: 0.0, y: 0.0 },
            geo::coord! { x: 0.0, y: 0.0 },
        ));
        Clip { area, bounds }
    }

    /// The first polygon feature's geometry of a GeoJSON file (lon/lat), widened.
    pub fn from_file(path: &Path, buffer_m: f64) -> Result<Clip, ImportError> {
        let boundary = super::districts::read_boundary(path)?;
        Ok(Clip::around(&boundary, buffer_m))
    }

    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let c = geo::coord! { x: lon, y: lat };
        self.bounds.min().x <= lon
            && lon <= self.bounds.max().x
            && self.bounds.min().y <= lat
            && lat <= self.bounds.max().y
            && self.area.contains(&c)
    }
}

/// The ids one blob of the file holds, seen in the first pass: the smallest and largest id
/// of its nodes, of its ways and of its relations (`None` where it holds none; the header
/// blob holds none).
#[derive(Debug, Clone, Copy, Default)]
pub struct BlobIds {
    nodes: Option<(i64, i64)>,
    ways: Option<(i64, i64)>,
    relations: Option<(i64, i64)>,
}

impl BlobIds {
    fn is_empty(&self) -> bool {
        self.nodes.is_none() && self.ways.is_none() && self.relations.is_none()
    }
}

fn widen(range: &mut Option<(i64, i64)>, id: i64) {
    *range = Some(match *range {
        None => (id, id),
        Some((lo, hi)) => (lo.min(id), hi.max(id)),
    });
}

/// Whether each element of a block is kept. A sorted file's blocks hold rising ids, so each
/// test moves a cursor forward through the sorted kept ids (a merge, reading memory in
/// order) instead of looking the id up in a hash set: in a country file that is hundreds of
/// millions of tests, and a hash set of a kommune's ids is far larger than the CPU's caches.
/// An id below the one before (an unsorted file) is searched for from the start.
pub struct BlockFilter<'a> {
    cursors: [Cursor<'a>; 3],
}

impl BlockFilter<'_> {
    pub fn keeps(&mut self, element: &Element<'_>) -> bool {
        match element {
            Element::Node(n) => self.cursors[0].holds(n.id()),
            Element::DenseNode(n) => self.cursors[0].holds(n.id()),
            Element::Way(w) => self.cursors[1].holds(w.id()),
            Element::Relation(r) => self.cursors[2].holds(r.id()),
        }
    }
}

struct Cursor<'a> {
    ids: &'a [i64],
    /// The first id at or above `last`.
    at: usize,
    last: i64,
}

impl Cursor<'_> {
    fn holds(&mut self, id: i64) -> bool {
        if id < self.last {
            self.at = 0;
        }
        self.last = id;
        // Forward in steps that double, then a binary search within the last step.
        let rest = &self.ids[self.at..];
        let mut step = 1;
        while step < rest.len() && rest[step] < id {
            step *= 2;
        }
        let window = &rest[..rest.len().min(step + 1)];
        self.at += window.partition_point(|&k| k < id);
        self.ids.get(self.at) == Some(&id)
    }
}

/// Whether `sorted` holds an id in `range`.
fn any_in(sorted: &[i64], range: Option<(i64, i64)>) -> bool {
    range.is_some_and(|(lo, hi)| {
        let i = sorted.partition_point(|&id| id < lo);
        sorted.get(i).is_some_and(|&id| id <= hi)
    })
}

/// What to keep of the file.
#[derive(Debug, Default)]
pub struct Keep {
    /// Per blob of the file, in file order: the ids it holds (first pass).
    blobs: Vec<BlobIds>,
    /// The kept ids of nodes, ways and relations, sorted (no duplicates).
    sorted: [Vec<i64>; 3],
    /// How long the first pass (the blobs before the first way or relation) and the second
    /// (the rest, and in a file not sorted by type the ways and relations again) took.
    pub passes: [std::time::Duration; 2],
    /// Whether every node inside came before the first way or relation (else the second
    /// pass read the ways and relations a second time).
    pub sorted_by_type: bool,
}

impl Keep {
    /// A membership test for the elements of one block, in the block's order: see
    /// [`BlockFilter`].
    pub fn block_filter(&self) -> BlockFilter<'_> {
        BlockFilter {
            cursors: self.sorted.each_ref().map(|ids| Cursor {
                ids,
                at: 0,
                last: i64::MIN,
            }),
        }
    }

    /// Whether the blob at `index` (in file order, the header's included) may hold anything
    /// kept: the reading pass decompresses only these. A blob the first pass did not see,
    /// the header and an empty blob are always wanted.
    pub fn wants_blob(&self, index: usize) -> bool {
        let Some(ids) = self.blobs.get(index) else {
            return true;
        };
        ids.is_empty()
            || any_in(&self.sorted[0], ids.nodes)
            || any_in(&self.sorted[1], ids.ways)
            || any_in(&self.sorted[2], ids.relations)
    }
}

/// Every blob of the PBF file at `path` that is `wanted(index)` (its place in the file,
/// the header's included), in file order, a batch at a time: the batch's wanted blobs are
/// decompressed and given to `map` in parallel (rayon), then each result to `sink` in file
/// order, until `sink` answers `Break`. `at` hears the byte offset reached before each batch
/// (for a progress bar). Errors: a damaged or truncated file ("not a readable OSM PBF
/// file"), or the first error `sink` returns; nothing after it is read.
pub fn each_blob<T: Send>(
    path: &Path,
    wanted: impl Fn(usize) -> bool + Sync,
    map: impl Fn(BlobDecode<'_>) -> T + Sync,
    mut sink: impl FnMut(T) -> Result<std::ops::ControlFlow<()>, ImportError>,
    mut at: impl FnMut(u64),
) -> Result<(), ImportError> {
    use rayon::prelude::*;
    let damaged =
        |e: osmpbf::Error| ImportError::file(path, format!("not a readable OSM PBF file: {e}"));
    let batch_len = 4 * rayon::current_num_threads().max(1);
    let mut blobs = BlobReader::from_path(path).map_err(damaged)?.peekable();
    let mut index = 0;
    while blobs.peek().is_some() {
        let batch = blobs
            .by_ref()
            .take(batch_len)
            .collect::<Result<Vec<_>, _>>()
            .map_err(damaged)?;
        if let Some(offset) = batch.last().and_then(|b| b.offset()) {
            at(offset.0);
        }
        let first = index;
        index += batch.len();
        let mapped: Vec<Result<T, osmpbf::Error>> = batch
            .par_iter()
            .enumerate()
            .filter(|(k, _)| wanted(first + k))
            .map(|(_, blob)| blob.decode().map(&map))
            .collect();
        for m in mapped {
            if sink(m.map_err(damaged)?)?.is_break() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// What the second pass finds in one blob: the ways with a node inside, the nodes of those
/// ways, and the relations with a kept member, each with its way members to check once every
/// kept way is known (an empty list: kept already, for a node member inside).
type Found = (Vec<i64>, Vec<i64>, Vec<(i64, Vec<i64>)>);

/// The first pass's work on one block: the ids it holds, and its nodes inside the area.
fn ids_and_nodes_inside(block: &osmpbf::PrimitiveBlock, clip: &Clip) -> (BlobIds, Vec<i64>) {
    let (mut ids, mut inside) = (BlobIds::default(), Vec::new());
    for e in block.elements() {
        match e {
            Element::Node(n) => {
                widen(&mut ids.nodes, n.id());
                if clip.contains(n.lon(), n.lat()) {
                    inside.push(n.id());
                }
            }
            Element::DenseNode(n) => {
                widen(&mut ids.nodes, n.id());
                if clip.contains(n.lon(), n.lat()) {
                    inside.push(n.id());
                }
            }
            Element::Way(w) => widen(&mut ids.ways, w.id()),
            Element::Relation(r) => widen(&mut ids.relations, r.id()),
        }
    }
    (ids, inside)
}

/// The second pass's work on one block, given the nodes inside the area.
fn ways_and_relations(block: &osmpbf::PrimitiveBlock, inside: &HashSet<i64>) -> Found {
    let mut found: Found = Default::default();
    for e in block.elements() {
        match e {
            Element::Way(w) if w.refs().any(|r| inside.contains(&r)) => {
                found.0.push(w.id());
                found.1.extend(w.refs());
            }
            Element::Relation(r)
                if r.members().any(|m| {
                    m.member_type == RelMemberType::Node && inside.contains(&m.member_id)
                }) =>
            {
                found.2.push((r.id(), Vec::new()));
            }
            Element::Relation(r) => {
                let ways: Vec<i64> = r
                    .members()
                    .filter(|m| m.member_type == RelMemberType::Way)
                    .map(|m| m.member_id)
                    .collect();
                if !ways.is_empty() {
                    found.2.push((r.id(), ways));
                }
            }
            _ => {}
        }
    }
    found
}

/// The two passes before the reading: the ids of the nodes, ways and relations to keep, and
/// which blobs hold them. Each blob is decompressed once (but the one where nodes end and
/// ways begin) in a file sorted by type as osmium and Geofabrik write them (every node before
/// the first way): the first pass reads the blobs from the start and stops at the first with
/// ways or relations and no node; the second reads from the first with a way or relation to
/// the end. A file not sorted so, which the second pass sees as nodes inside the area after
/// the first pass stopped, costs a third pass: the ways and relations again, with every node
/// known.
pub fn select(path: &Path, clip: &Clip) -> Result<Keep, ImportError> {
    use std::ops::ControlFlow::{Break, Continue};
    // Pass 1: the nodes inside, and the ids each blob holds, up to the first blob with ways
    // or relations and no node (a blob where the nodes end and the ways begin holds both).
    let started = std::time::Instant::now();
    let (mut blobs, mut inside) = (Vec::<BlobIds>::new(), HashSet::default());
    let with_ways = |b: &BlobIds| b.ways.is_some() || b.relations.is_some();
    each_blob(
        path,
        |_| true,
        |decoded| match decoded {
            BlobDecode::OsmData(block) => ids_and_nodes_inside(&block, clip),
            _ => Default::default(),
        },
        |(ids, nodes)| {
            if ids.nodes.is_none() && with_ways(&ids) {
                return Ok(Break(()));
            }
            blobs.push(ids);
            inside.extend(nodes);
            Ok(Continue(()))
        },
        |_| {},
    )?;
    let first = started.elapsed();
    // Pass 2, from the first blob with a way or relation to the end: the ways with a node
    // inside (with all their nodes) and the relations with a kept member; and the ids of
    // each blob pass 1 did not reach.
    let rest = blobs.len();
    let from = blobs.iter().position(with_ways).unwrap_or(rest);
    let mut late = Vec::new();
    // What pass 2 keeps of every blob's `Found`: the ways as a set (relations look them up).
    type Kept = (HashSet<i64>, Vec<i64>, Vec<(i64, Vec<i64>)>);
    let mut kept: Kept = Default::default();
    let add = |kept: &mut Kept, (w, n, r): Found| {
        kept.0.extend(w);
        kept.1.extend(n);
        kept.2.extend(r);
    };
    let mut index = from;
    each_blob(
        path,
        |i| i >= from,
        |decoded| match decoded {
            BlobDecode::OsmData(block) => (
                ids_and_nodes_inside(&block, clip),
                ways_and_relations(&block, &inside),
            ),
            _ => Default::default(),
        },
        |((ids, nodes), found)| {
            if index >= rest {
                blobs.push(ids);
                late.extend(nodes);
            }
            index += 1;
            add(&mut kept, found);
            Ok(Continue(()))
        },
        |_| {},
    )?;
    let sorted_by_type = late.is_empty();
    if !sorted_by_type {
        // Nodes inside after a way: not sorted by type. Every way and relation again.
        inside.extend(late);
        kept = Default::default();
        each_blob(
            path,
            |i| blobs.get(i).is_some_and(with_ways),
            |decoded| match decoded {
                BlobDecode::OsmData(block) => ways_and_relations(&block, &inside),
                _ => Default::default(),
            },
            |found| {
                add(&mut kept, found);
                Ok(Continue(()))
            },
            |_| {},
        )?;
    }
    let (ways, way_nodes, relations) = kept;
    let relations: HashSet<i64> = relations
        .into_iter()
        .filter(|(_, members)| members.is_empty() || members.iter().any(|w| ways.contains(w)))
        .map(|(id, _)| id)
        .collect();
    let mut nodes = inside;
    nodes.extend(way_nodes);
    let sorted = |set: &HashSet<i64>| {
        let mut v: Vec<i64> = set.iter().copied().collect();
        v.sort_unstable();
        v
    };
    Ok(Keep {
        sorted: [sorted(&nodes), sorted(&ways), sorted(&relations)],
        blobs,
        passes: [first, started.elapsed() - first],
        sorted_by_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_answers_as_a_set_does_in_any_order() {
        // Kept: every id divisible by 7 or by 11 below 10,000; asked: every id below 10,500
        // rising (a sorted block), then falling and in a scrambled order (an unsorted one),
        // then a rising run with repeats and long gaps.
        let kept: Vec<i64> = (0..10_000).filter(|i| i % 7 == 0 || i % 11 == 0).collect();
        let set: std::collections::HashSet<i64> = kept.iter().copied().collect();
        let rising: Vec<i64> = (-5..10_500).collect();
        let falling: Vec<i64> = rising.iter().rev().copied().collect();
        let scrambled: Vec<i64> = (0..10_500).map(|i| (i * 7_919) % 10_500).collect();
        let gaps: Vec<i64> = [0, 0, 1, 7, 7, 8, 4_000, 4_004, 4_004, 9_999, 10_000, 20_000].into();
        for asked in [rising, falling, scrambled, gaps] {
            let mut cursor = Cursor {
                ids: &kept,
                at: 0,
                last: i64::MIN,
            };
            for id in asked {
                assert_eq!(cursor.holds(id), set.contains(&id), "id {id}");
            }
        }
        let mut empty = Cursor {
            ids: &[],
            at: 0,
            last: i64::MIN,
        };
        assert!(!empty.holds(3));
    }

    #[test]
    fn a_blob_is_wanted_when_a_kept_id_falls_in_its_range() {
        let kept = [3, 10, 20];
        assert!(!any_in(&kept, None));
        assert!(!any_in(&kept, Some((0, 2))), "below all");
        assert!(!any_in(&kept, Some((21, 90))), "above all");
        assert!(!any_in(&kept, Some((4, 9))), "between two");
        assert!(any_in(&kept, Some((4, 10))), "at the upper end");
        assert!(any_in(&kept, Some((20, 20))), "one id, kept");
        assert!(!any_in(&[], Some((0, 100))));
        let keep = Keep {
            blobs: vec![
                BlobIds::default(),
                BlobIds {
                    nodes: Some((0, 2)),
                    ..Default::default()
                },
                BlobIds {
                    ways: Some((5, 9)),
                    ..Default::default()
                },
                BlobIds {
                    relations: Some((1, 1)),
                    ..Default::default()
                },
            ],
            sorted: [vec![3], vec![5], vec![2]],
            ..Default::default()
        };
        let wanted: Vec<bool> = (0..5).map(|i| keep.wants_blob(i)).collect();
        assert_eq!(
            wanted,
            [true, false, true, false, true],
            "header, nodes, ways, relations, unseen"
        );
    }
}
