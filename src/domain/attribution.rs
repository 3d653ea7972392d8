//! Whose data is shown: the attribution each publisher asks for (texts from
//! DATA-SOURCES.md), by the source name a row was imported under. Operator files under
//! other names carry no attribution of ours.

pub const KARTVERKET: &str = "© Kartverket (CC BY 4.0)";
pub const SSB: &str = "Kilde: Statistisk sentralbyrå (CC BY 4.0)";
pub const UDIR: &str = "Utdanningsdirektoratet, NSR/NBR (NLOD)";
pub const ANLEGG: &str = "Anleggsregisteret, Kultur- og likestillingsdepartementet (NLOD)";
pub const OSM: &str = "© OpenStreetMap contributors (ODbL)";

/// The texts in the order they are shown.
const ORDER: [&str; 5] = [KARTVERKET, SSB, UDIR, ANLEGG, OSM];

/// The attribution for rows imported under `source` (`osm`, `matrikkelen-3301`,
/// `kommuneinfo-3301`, `nsr`, `nbr`, `anleggsregisteret`, `ssb`).
pub fn of_source(source: &str) -> Option<&'static str> {
    let s = source.to_ascii_lowercase();
    if s == "osm" || s.starts_with("osm-") {
        Some(OSM)
    } else if ["matrikkelen", "kommuneinfo", "kartverket", "grunnkretser"]
        .iter()
        .any(|p| s.starts_with(p))
    {
        Some(KARTVERKET)
    } else if s == "nsr" || s == "nbr" {
        Some(UDIR)
    } else if s.starts_with("anleggsregisteret") {
        Some(ANLEGG)
    } else if s == "ssb" {
        Some(SSB)
    } else {
        None
    }
}

/// The attributions of all `sources`, each once, in a fixed order.
pub fn of_sources<'a>(sources: impl IntoIterator<Item = &'a str>) -> Vec<&'static str> {
    let found: std::collections::HashSet<&'static str> =
        sources.into_iter().filter_map(of_source).collect();
    ORDER.into_iter().filter(|a| found.contains(a)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_publisher_once_in_order() {
        assert_eq!(
            of_sources(["osm", "nbr", "matrikkelen-3301", "nsr", "kommunedeler"]),
            [KARTVERKET, UDIR, OSM]
        );
        assert!(of_sources(["barnehager"]).is_empty());
    }
}
