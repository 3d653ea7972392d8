//! The walking graph as compact arrays: nodes in one array, outgoing edges of node `n` at
//! `first_out[n]..first_out[n + 1]` (CSR). Every walkable segment is stored in both
//! directions: walking is legal both ways on one-way streets.

use crate::domain::LonLat;

/// Index of a node in [`WalkGraph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

/// Index of a directed edge in [`WalkGraph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EdgeId(pub u32);

/// What a profile may care about on an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EdgeFlags(pub u8);

impl EdgeFlags {
    pub const STEPS: EdgeFlags = EdgeFlags(1);
    /// Tagged `wheelchair=no`.
    pub const WHEELCHAIR_NO: EdgeFlags = EdgeFlags(2);
    /// Tagged with an `incline` steeper than a wheelchair user can manage.
    pub const STEEP: EdgeFlags = EdgeFlags(4);

    pub fn intersects(self, other: EdgeFlags) -> bool {
        self.0 & other.0 != 0
    }
}

impl std::ops::BitOr for EdgeFlags {
    type Output = EdgeFlags;
    fn bitor(self, rhs: EdgeFlags) -> EdgeFlags {
        EdgeFlags(self.0 | rhs.0)
    }
}

const EARTH_RADIUS_M: f64 = 6_371_008.8;
const MAGIC: &[u8; 8] = b"NMWALK01";

/// Great-circle distance in metres.
pub fn haversine_m(a: LonLat, b: LonLat) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// A local equirectangular projection in metres around a centre: x east, y north. Over a
/// municipality (tens of km) its distances are within a fraction of a percent, which is
/// what snapping and isochrone grids need; edge lengths use [`haversine_m`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalMetres {
    lon0: f64,
    lat0: f64,
    metres_per_deg_lon: f64,
    metres_per_deg_lat: f64,
}

impl LocalMetres {
    pub fn centred_on(centre: LonLat) -> LocalMetres {
        let metres_per_deg_lat = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        LocalMetres {
            lon0: centre.lon,
            lat0: centre.lat,
            metres_per_deg_lat,
            metres_per_deg_lon: metres_per_deg_lat * centre.lat.to_radians().cos(),
        }
    }

    pub fn project(&self, p: LonLat) -> [f64; 2] {
        [
            (p.lon - self.lon0) * self.metres_per_deg_lon,
            (p.lat - self.lat0) * self.metres_per_deg_lat,
        ]
    }

    pub fn unproject(&self, xy: [f64; 2]) -> LonLat {
        LonLat::new(
            xy[0] / self.metres_per_deg_lon + self.lon0,
            xy[1] / self.metres_per_deg_lat + self.lat0,
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WalkGraph {
    positions: Vec<LonLat>,
    first_out: Vec<u32>,
    head: Vec<NodeId>,
    length_m: Vec<f64>,
    flags: Vec<EdgeFlags>,
    /// The reverse of each directed edge (the same segment walked the other way).
    twin: Vec<EdgeId>,
    projection: LocalMetres,
    /// Each node's position in `projection`'s metres, computed once at load.
    xy: Vec<[f64; 2]>,
}

impl WalkGraph {
    pub fn node_count(&self) -> usize {
        self.positions.len()
    }

    pub fn edge_count(&self) -> usize {
        self.head.len()
    }

    pub fn position(&self, n: NodeId) -> LonLat {
        self.positions[n.0 as usize]
    }

    pub fn projection(&self) -> &LocalMetres {
        &self.projection
    }

    /// Node `n` in local metres (see [`WalkGraph::projection`]).
    pub fn xy(&self, n: NodeId) -> [f64; 2] {
        self.xy[n.0 as usize]
    }

    /// Outgoing edges of `n`.
    pub fn edges_from(&self, n: NodeId) -> impl Iterator<Item = EdgeId> + '_ {
        (self.first_out[n.0 as usize]..self.first_out[n.0 as usize + 1]).map(EdgeId)
    }

    pub fn head(&self, e: EdgeId) -> NodeId {
        self.head[e.0 as usize]
    }

    /// The node an edge leaves from (found through its twin, which ends there).
    pub fn tail(&self, e: EdgeId) -> NodeId {
        self.head[self.twin[e.0 as usize].0 as usize]
    }

    pub fn length_m(&self, e: EdgeId) -> f64 {
        self.length_m[e.0 as usize]
    }

    pub fn flags(&self, e: EdgeId) -> EdgeFlags {
        self.flags[e.0 as usize]
    }

    pub fn twin(&self, e: EdgeId) -> EdgeId {
        self.twin[e.0 as usize]
    }

    /// Each segment once, as the directed edge from its lower node id.
    pub fn segments(&self) -> impl Iterator<Item = EdgeId> + '_ {
        (0..self.head.len() as u32).map(EdgeId).filter(|&e| {
            let t = self.twin(e);
            (self.tail(e), e) < (self.head(e), t)
        })
    }

    /// Bytes held by the arrays, for the operator's information.
    pub fn memory_bytes(&self) -> usize {
        self.positions.len() * std::mem::size_of::<LonLat>()
            + self.first_out.len() * 4
            + self.head.len() * (4 + 8 + 1 + 4)
    }

    /// The graph as a self-describing little-endian blob, for the store.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (n, m) = (self.positions.len(), self.head.len());
        let mut out = Vec::with_capacity(24 + n * 16 + (n + 1) * 4 + m * 17);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(n as u64).to_le_bytes());
        out.extend_from_slice(&(m as u64).to_le_bytes());
        for p in &self.positions {
            out.extend_from_slice(&p.lon.to_le_bytes());
            out.extend_from_slice(&p.lat.to_le_bytes());
        }
        for v in &self.first_out {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for (i, h) in self.head.iter().enumerate() {
            out.extend_from_slice(&h.0.to_le_bytes());
            out.extend_from_slice(&self.length_m[i].to_le_bytes());
            out.extend_from_slice(&self.twin[i].0.to_le_bytes());
            out.push(self.flags[i].0);
        }
        out
    }

    /// Reads what [`WalkGraph::to_bytes`] wrote, checking every index.
    pub fn from_bytes(bytes: &[u8]) -> Result<WalkGraph, String> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err("not a naermiljo walking graph (or an older format): rebuild it with `naermiljo import osm`".into());
        }
        let n = r.u64()? as usize;
        let m = r.u64()? as usize;
        let expected = 24 + n * 16 + (n + 1) * 4 + m * 17;
        if bytes.len() != expected {
            return Err(format!(
                "walking graph blob has {} bytes, expected {expected}",
                bytes.len()
            ));
        }
        let mut positions = Vec::with_capacity(n);
        for _ in 0..n {
            positions.push(LonLat::new(r.f64()?, r.f64()?));
        }
        let mut first_out = Vec::with_capacity(n + 1);
        for _ in 0..=n {
            first_out.push(r.u32()?);
        }
        let (mut head, mut length_m, mut twin, mut flags) = (
            Vec::with_capacity(m),
            Vec::with_capacity(m),
            Vec::with_capacity(m),
            Vec::with_capacity(m),
        );
        for _ in 0..m {
            head.push(NodeId(r.u32()?));
            length_m.push(r.f64()?);
            twin.push(EdgeId(r.u32()?));
            flags.push(EdgeFlags(r.take(1)?[0]));
        }
        let valid = first_out.first() == Some(&0)
            && first_out.last() == Some(&(m as u32))
            && first_out.windows(2).all(|w| w[0] <= w[1])
            && head.iter().all(|h| (h.0 as usize) < n)
            && twin.iter().all(|t| (t.0 as usize) < m)
            && length_m.iter().all(|l| l.is_finite() && *l >= 0.0);
        if !valid {
            return Err("walking graph blob is inconsistent".into());
        }
        Ok(WalkGraph::assemble(
            positions, first_out, head, length_m, flags, twin,
        ))
    }

    /// The graph from its arrays, with what is derived from them (projection, metres).
    fn assemble(
        positions: Vec<LonLat>,
        first_out: Vec<u32>,
        head: Vec<NodeId>,
        length_m: Vec<f64>,
        flags: Vec<EdgeFlags>,
        twin: Vec<EdgeId>,
    ) -> WalkGraph {
        let projection = LocalMetres::centred_on(centre(&positions));
        let xy = positions.iter().map(|&p| projection.project(p)).collect();
        WalkGraph {
            positions,
            first_out,
            head,
            length_m,
            flags,
            twin,
            projection,
            xy,
        }
    }
}

fn centre(positions: &[LonLat]) -> LonLat {
    match crate::domain::Bbox::around(positions.iter().copied()) {
        Some(b) => LonLat::new((b.min_lon + b.max_lon) / 2.0, (b.min_lat + b.max_lat) / 2.0),
        None => LonLat::new(0.0, 0.0),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, k: usize) -> Result<&'a [u8], String> {
        let s = self
            .bytes
            .get(self.at..self.at + k)
            .ok_or("walking graph blob is truncated")?;
        self.at += k;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn f64(&mut self) -> Result<f64, String> {
        Ok(f64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
}

/// Collects nodes and undirected segments, then lays them out as CSR.
#[derive(Debug, Default)]
pub struct GraphBuilder {
    positions: Vec<LonLat>,
    /// (a, b, length in metres, flags), each once.
    segments: Vec<(u32, u32, f64, EdgeFlags)>,
}

impl GraphBuilder {
    pub fn add_node(&mut self, p: LonLat) -> NodeId {
        self.positions.push(p);
        NodeId(self.positions.len() as u32 - 1)
    }

    /// A walkable segment between two nodes, its length measured along the ground.
    pub fn add_segment(&mut self, a: NodeId, b: NodeId, flags: EdgeFlags) {
        let length = haversine_m(self.positions[a.0 as usize], self.positions[b.0 as usize]);
        self.add_segment_with_length(a, b, length, flags);
    }

    /// A segment with a given length, for graphs drawn by hand in tests.
    pub fn add_segment_with_length(
        &mut self,
        a: NodeId,
        b: NodeId,
        length_m: f64,
        flags: EdgeFlags,
    ) {
        if a != b {
            self.segments.push((a.0, b.0, length_m, flags));
        }
    }

    pub fn build(self) -> WalkGraph {
        let n = self.positions.len();
        let mut degree = vec![0u32; n + 1];
        for &(a, b, _, _) in &self.segments {
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        let mut first_out = vec![0u32; n + 1];
        for i in 0..n {
            first_out[i + 1] = first_out[i] + degree[i];
        }
        let m = self.segments.len() * 2;
        let mut next = first_out.clone();
        let (mut head, mut length_m, mut flags, mut twin) = (
            vec![NodeId(0); m],
            vec![0.0; m],
            vec![EdgeFlags::default(); m],
            vec![EdgeId(0); m],
        );
        for &(a, b, len, f) in &self.segments {
            let (ea, eb) = (next[a as usize], next[b as usize]);
            next[a as usize] += 1;
            next[b as usize] += 1;
            head[ea as usize] = NodeId(b);
            head[eb as usize] = NodeId(a);
            length_m[ea as usize] = len;
            length_m[eb as usize] = len;
            flags[ea as usize] = f;
            flags[eb as usize] = f;
            twin[ea as usize] = EdgeId(eb);
            twin[eb as usize] = EdgeId(ea);
        }
        WalkGraph::assemble(self.positions, first_out, head, length_m, flags, twin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_and_reject_damage() {
        let mut b = GraphBuilder::default();
        let x = b.add_node(LonLat::new(10.0, 59.0));
        let y = b.add_node(LonLat::new(10.001, 59.0));
        let z = b.add_node(LonLat::new(10.001, 59.001));
        b.add_segment(x, y, EdgeFlags::default());
        b.add_segment(y, z, EdgeFlags::STEPS);
        let g = b.build();
        assert_eq!(g.edge_count(), 4);
        let bytes = g.to_bytes();
        assert_eq!(WalkGraph::from_bytes(&bytes).unwrap(), g);
        assert!(WalkGraph::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(WalkGraph::from_bytes(b"garbage!").is_err());
        // 0.001° of longitude at 59° N is about 57 m.
        let e = g.edges_from(x).next().unwrap();
        assert!((g.length_m(e) - 57.3).abs() < 0.5, "{}", g.length_m(e));
        assert_eq!(g.tail(e), x);
        assert_eq!(g.segments().count(), 2);
    }

    #[test]
    fn local_metres_round_trip() {
        let p = LocalMetres::centred_on(LonLat::new(10.75, 59.91));
        let q = LonLat::new(10.76, 59.92);
        let back = p.unproject(p.project(q));
        assert!((back.lon - q.lon).abs() < 1e-12 && (back.lat - q.lat).abs() < 1e-12);
        let d = p.project(q);
        assert!((d[0].hypot(d[1]) - haversine_m(LonLat::new(10.75, 59.91), q)).abs() < 1.0);
    }
}
