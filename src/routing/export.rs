//! The walking graph as pgRouting-ready text: one row per segment with `source`, `target`,
//! `cost` and `reverse_cost` in seconds for a profile (-1 where the profile may not walk,
//! which pgRouting reads as "no edge"). Node ids are 1-based: graph node `n` is `n + 1`.
//! Floats are written in Rust's shortest round-trip form, so PostgreSQL reads back the very
//! same `float8` values.

use std::io::{self, Write};

use super::{Profile, WalkGraph};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Sql,
}

const HEADER: &str = "id,source,target,cost,reverse_cost,length_m,x1,y1,x2,y2";

fn rows(g: &WalkGraph, profile: Profile, out: &mut impl Write) -> io::Result<()> {
    let speed = profile.speed_mps();
    for (i, e) in g.segments().enumerate() {
        let (a, b) = (g.tail(e), g.head(e));
        let len = g.length_m(e);
        let cost = if profile.allows(g.flags(e)) {
            len / speed
        } else {
            -1.0
        };
        let (pa, pb) = (g.position(a), g.position(b));
        writeln!(
            out,
            "{},{},{},{cost},{cost},{len},{},{},{},{}",
            i + 1,
            a.0 + 1,
            b.0 + 1,
            pa.lon,
            pa.lat,
            pb.lon,
            pb.lat
        )?;
    }
    Ok(())
}

/// Writes the graph's segments for `profile`.
pub fn write(
    g: &WalkGraph,
    profile: Profile,
    format: Format,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        Format::Csv => {
            writeln!(out, "{HEADER}")?;
            rows(g, profile, out)
        }
        Format::Sql => {
            writeln!(
                out,
                "-- naermiljo walking graph, profile {}, costs in seconds; for psql.",
                profile.as_str()
            )?;
            writeln!(out, "BEGIN;")?;
            writeln!(out, "DROP TABLE IF EXISTS walk_edges;")?;
            writeln!(
                out,
                "CREATE TABLE walk_edges (id bigint PRIMARY KEY, source bigint NOT NULL, target bigint NOT NULL, \
                 cost float8 NOT NULL, reverse_cost float8 NOT NULL, length_m float8 NOT NULL, \
                 x1 float8, y1 float8, x2 float8, y2 float8);"
            )?;
            writeln!(
                out,
                "COPY walk_edges ({HEADER}) FROM stdin WITH (FORMAT csv);"
            )?;
            rows(g, profile, out)?;
            writeln!(out, "\\.")?;
            writeln!(out, "CREATE INDEX ON walk_edges (source);")?;
            writeln!(out, "CREATE INDEX ON walk_edges (target);")?;
            writeln!(out, "COMMIT;")
        }
    }
}
