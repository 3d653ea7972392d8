//! The pedestrian network and searches on it: what a resident can reach on foot.
//!
//! `graph.rs` holds the network as compact arrays (CSR), built offline by `build.rs` from OSM
//! ways and stored as one blob in the store; `search.rs` runs bounded Dijkstra searches with
//! reused buffers; `snap.rs` places an arbitrary point on the nearest walkable edge;
//! `isochrone.rs` turns a search into polygons per time band. No I/O here.
//!
//! Lengths are metres along the ground (haversine per segment); times are seconds.
//! Geometry work that needs metres uses [`LocalMetres`], a local equirectangular projection
//! centred on the network, named as such wherever it is used.

pub mod build;
pub mod export;
mod graph;
pub mod isochrone;
pub mod network;
pub mod search;
pub mod snap;
#[cfg(test)]
mod tests;

pub use graph::{EdgeFlags, EdgeId, GraphBuilder, LocalMetres, NodeId, WalkGraph, haversine_m};

/// How someone walks: speed, and which edges they can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// 5 km/h.
    Walk,
    /// 3.5 km/h: older residents, small children.
    Slow,
    /// 4 km/h, no steps, no `wheelchair=no`, no steep inclines where tagged.
    Wheelchair,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Walk, Profile::Slow, Profile::Wheelchair];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Walk => "walk",
            Profile::Slow => "slow",
            Profile::Wheelchair => "wheelchair",
        }
    }

    pub fn parse(s: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn speed_kmh(self) -> f64 {
        match self {
            Profile::Walk => 5.0,
            Profile::Slow => 3.5,
            Profile::Wheelchair => 4.0,
        }
    }

    /// Metres per second.
    pub fn speed_mps(self) -> f64 {
        self.speed_kmh() / 3.6
    }

    /// Whether this profile may use an edge with these flags.
    pub fn allows(self, flags: EdgeFlags) -> bool {
        match self {
            Profile::Walk | Profile::Slow => true,
            Profile::Wheelchair => {
                !flags.intersects(EdgeFlags::STEPS | EdgeFlags::WHEELCHAIR_NO | EdgeFlags::STEEP)
            }
        }
    }
}
