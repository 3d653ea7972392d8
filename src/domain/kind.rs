//! Facility kinds, with their Norwegian and English labels.

use serde::{Deserialize, Serialize};

/// What a facility is. The string form (`as_str`) is stable: it is stored and used in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityKind {
    School,
    Kindergarten,
    Playground,
    /// A ball court or pitch; the small fenced ones are the "ballbinge".
    Pitch,
    Skatepark,
    /// Outdoor exercise equipment: trimpark, apparatpark.
    FitnessStation,
    /// A running track.
    Track,
    SportsHall,
    Library,
    CultureHouse,
    YouthClub,
    /// A community centre, the knutepunkt of a neighbourhood.
    CommunityCentre,
    Park,
}

impl FacilityKind {
    pub const ALL: [FacilityKind; 13] = [
        FacilityKind::School,
        FacilityKind::Kindergarten,
        FacilityKind::Playground,
        FacilityKind::Pitch,
        FacilityKind::Skatepark,
        FacilityKind::FitnessStation,
        FacilityKind::Track,
        FacilityKind::SportsHall,
        FacilityKind::Library,
        FacilityKind::CultureHouse,
        FacilityKind::YouthClub,
        FacilityKind::CommunityCentre,
        FacilityKind::Park,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FacilityKind::School => "school",
            FacilityKind::Kindergarten => "kindergarten",
            FacilityKind::Playground => "playground",
            FacilityKind::Pitch => "pitch",
            FacilityKind::Skatepark => "skatepark",
            FacilityKind::FitnessStation => "fitness_station",
            FacilityKind::Track => "track",
            FacilityKind::SportsHall => "sports_hall",
            FacilityKind::Library => "library",
            FacilityKind::CultureHouse => "culture_house",
            FacilityKind::YouthClub => "youth_club",
            FacilityKind::CommunityCentre => "community_centre",
            FacilityKind::Park => "park",
        }
    }

    /// Bokmål label, as shown to residents.
    pub fn label_nb(self) -> &'static str {
        match self {
            FacilityKind::School => "Skole",
            FacilityKind::Kindergarten => "Barnehage",
            FacilityKind::Playground => "Lekeplass",
            FacilityKind::Pitch => "Ballbinge / ballbane",
            FacilityKind::Skatepark => "Skatepark",
            FacilityKind::FitnessStation => "Treningspark / trimpark",
            FacilityKind::Track => "Løpebane",
            FacilityKind::SportsHall => "Idrettshall",
            FacilityKind::Library => "Bibliotek",
            FacilityKind::CultureHouse => "Kulturhus",
            FacilityKind::YouthClub => "Ungdomsklubb",
            FacilityKind::CommunityCentre => "Nærmiljøsenter / knutepunkt",
            FacilityKind::Park => "Park",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            FacilityKind::School => "School",
            FacilityKind::Kindergarten => "Kindergarten",
            FacilityKind::Playground => "Playground",
            FacilityKind::Pitch => "Pitch / ball court",
            FacilityKind::Skatepark => "Skatepark",
            FacilityKind::FitnessStation => "Outdoor fitness station",
            FacilityKind::Track => "Running track",
            FacilityKind::SportsHall => "Sports hall",
            FacilityKind::Library => "Library",
            FacilityKind::CultureHouse => "Culture house",
            FacilityKind::YouthClub => "Youth club",
            FacilityKind::CommunityCentre => "Community centre",
            FacilityKind::Park => "Park",
        }
    }

    /// Nærmiljøanlegg: small, free, open outdoor facilities for sport and play near homes
    /// (the Ministry of Culture's category for grants).
    pub fn is_naermiljoanlegg(self) -> bool {
        matches!(
            self,
            FacilityKind::Pitch
                | FacilityKind::Skatepark
                | FacilityKind::FitnessStation
                | FacilityKind::Track
        )
    }

    /// A kind by its id; `knutepunkt` (Drammen's word) is `community_centre`.
    pub fn parse(s: &str) -> Option<FacilityKind> {
        if s == "knutepunkt" {
            return Some(FacilityKind::CommunityCentre);
        }
        FacilityKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for FacilityKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `kind=` filter: one or more kinds, or the group name `naermiljoanlegg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindFilter(Vec<FacilityKind>);

impl KindFilter {
    /// Parses `school,kindergarten` or `naermiljoanlegg`; the error names the unknown part.
    pub fn parse(s: &str) -> Result<KindFilter, String> {
        let mut kinds = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "naermiljoanlegg" {
                kinds.extend(
                    FacilityKind::ALL
                        .into_iter()
                        .filter(|k| k.is_naermiljoanlegg()),
                );
            } else {
                kinds.push(FacilityKind::parse(part).ok_or_else(|| part.to_string())?);
            }
        }
        if kinds.is_empty() {
            return Err(s.to_string());
        }
        kinds.sort();
        kinds.dedup();
        Ok(KindFilter(kinds))
    }

    /// The kinds, sorted, each once.
    pub fn kinds(&self) -> &[FacilityKind] {
        &self.0
    }

    pub fn matches(&self, kind: FacilityKind) -> bool {
        self.0.contains(&kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for k in FacilityKind::ALL {
            assert_eq!(FacilityKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::from(k.as_str())
            );
        }
    }

    #[test]
    fn kind_filter_expands_the_group_and_names_unknown_parts() {
        let f = KindFilter::parse("naermiljoanlegg").unwrap();
        assert!(f.matches(FacilityKind::Skatepark));
        assert!(!f.matches(FacilityKind::School));
        assert_eq!(KindFilter::parse("school,bogus"), Err("bogus".to_string()));
        assert!(KindFilter::parse(",").is_err());
    }
}
