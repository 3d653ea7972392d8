//! Example activities and volunteer needs for the demo region, generated from the real
//! facilities with a seeded generator: the same data and seed give the same examples.
//!
//! Every organisation, activity and need made here has `example = true`, a name that says
//! "(eksempel)", and a description that starts "Eksempel:"; the API and the map show them
//! as examples. They are never presented as real.
//!
//! Rules: football practice at pitches, indoor sports in sports halls, a reading hour and a
//! language café at libraries, a choir and homework help at schools, an open club night at
//! youth clubs, a toddler group at playgrounds, a walking group for seniors in parks,
//! skating at skateparks, crafts and games at community and culture houses. About one
//! facility in three gets one activity; a few organisations post volunteer needs.

use jiff::civil::Date;

use crate::domain::FacilityKind;
use crate::domain::activity::{
    Accessibility, ActivityDoc, Category, ClockTime, NeedDoc, OrgKind, Place, Schedule, Session,
};
use crate::index::Snapshot;

/// A small, seeded generator (SplitMix64): examples must be reproducible, not random.
/// Public for the benchmarks' synthetic data.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number in [0, 1), from the top 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The example organisations: (name, kind, public contact).
pub const ORGANISATIONS: [(&str, OrgKind, &str); 6] = [
    (
        "Nærmiljø IL (eksempel)",
        OrgKind::SportsClub,
        "post@example.org",
    ),
    (
        "Biblioteket (eksempel)",
        OrgKind::Municipality,
        "bibliotek@example.org",
    ),
    (
        "Frivilligsentralen (eksempel)",
        OrgKind::VolunteerOrganisation,
        "frivillig@example.org",
    ),
    (
        "Ungdomsklubben (eksempel)",
        OrgKind::Municipality,
        "ung@example.org",
    ),
    (
        "Bydelskoret (eksempel)",
        OrgKind::VolunteerOrganisation,
        "kor@example.org",
    ),
    (
        "Seniorforeningen (eksempel)",
        OrgKind::VolunteerOrganisation,
        "senior@example.org",
    ),
];

struct Template {
    org: usize,
    title: &'static str,
    description: &'static str,
    category: Category,
    ages: (Option<u8>, Option<u8>),
    price: f64,
    hours: [(u16, u16); 2],
}

fn templates(kind: FacilityKind) -> &'static [Template] {
    const fn t(
        org: usize,
        title: &'static str,
        description: &'static str,
        category: Category,
        ages: (Option<u8>, Option<u8>),
        price: f64,
        hours: [(u16, u16); 2],
    ) -> Template {
        Template {
            org,
            title,
            description,
            category,
            ages,
            price,
            hours,
        }
    }
    const PITCH: &[Template] = &[
        t(
            0,
            "Fotballtrening",
            "Fotball for alle som vil være med, nybegynnere også.",
            Category::Sport,
            (Some(8), Some(12)),
            0.0,
            [(17 * 60, 18 * 60 + 30), (18 * 60, 19 * 60 + 30)],
        ),
        t(
            0,
            "Løkkefotball",
            "Uorganisert fotball med en voksen til stede.",
            Category::Sport,
            (Some(10), Some(16)),
            0.0,
            [(16 * 60 + 30, 18 * 60), (18 * 60, 19 * 60 + 30)],
        ),
    ];
    const HALL: &[Template] = &[
        t(
            0,
            "Innebandy",
            "Innebandy med utlånt utstyr.",
            Category::Sport,
            (Some(9), Some(14)),
            300.0,
            [(17 * 60, 18 * 60 + 30), (18 * 60 + 30, 20 * 60)],
        ),
        t(
            0,
            "Trim for voksne",
            "Variert trening i eget tempo.",
            Category::Sport,
            (Some(18), None),
            200.0,
            [(19 * 60, 20 * 60), (20 * 60, 21 * 60)],
        ),
    ];
    const LIBRARY: &[Template] = &[
        t(
            1,
            "Lesestund",
            "Høytlesning og bildebøker for de minste.",
            Category::Culture,
            (Some(2), Some(6)),
            0.0,
            [(10 * 60, 10 * 60 + 45), (11 * 60, 11 * 60 + 45)],
        ),
        t(
            2,
            "Språkkafé",
            "Øv på norsk i en hyggelig samtale over en kopp kaffe.",
            Category::LanguageCafe,
            (Some(16), None),
            0.0,
            [(17 * 60, 19 * 60), (18 * 60, 20 * 60)],
        ),
        t(
            1,
            "Spillkveld",
            "Brettspill og dataspill for ungdom.",
            Category::GamesTech,
            (Some(12), Some(18)),
            0.0,
            [(17 * 60, 20 * 60), (18 * 60, 21 * 60)],
        ),
    ];
    const SCHOOL: &[Template] = &[
        t(
            4,
            "Barnekor",
            "Sang og lek for barn, ingen forkunnskaper.",
            Category::Music,
            (Some(6), Some(12)),
            400.0,
            [(17 * 60, 18 * 60), (17 * 60 + 30, 18 * 60 + 30)],
        ),
        t(
            2,
            "Leksehjelp",
            "Frivillige hjelper med lekser. Mat og drikke.",
            Category::HomeworkHelp,
            (Some(10), Some(16)),
            0.0,
            [(15 * 60, 17 * 60), (16 * 60, 18 * 60)],
        ),
    ];
    const YOUTH: &[Template] = &[t(
        3,
        "Åpen klubbkveld",
        "Møteplass med spill, musikk og voksne å prate med.",
        Category::YouthClub,
        (Some(13), Some(18)),
        0.0,
        [(18 * 60, 22 * 60), (17 * 60, 21 * 60)],
    )];
    const PLAYGROUND: &[Template] = &[t(
        2,
        "Lekegruppe for småbarn",
        "Foreldre og småbarn møtes til lek ute.",
        Category::Families,
        (Some(0), Some(3)),
        0.0,
        [(10 * 60, 11 * 60 + 30), (13 * 60, 14 * 60 + 30)],
    )];
    const PARK: &[Template] = &[
        t(
            5,
            "Turgruppe",
            "Rolig tur i parken, ca. en time. Alle kan bli med.",
            Category::Seniors,
            (Some(60), None),
            0.0,
            [(11 * 60, 12 * 60), (10 * 60, 11 * 60)],
        ),
        t(
            2,
            "Uteaktiviteter for familier",
            "Lek, bål og aktiviteter i parken.",
            Category::Outdoor,
            (None, None),
            0.0,
            [(12 * 60, 14 * 60), (11 * 60, 13 * 60)],
        ),
    ];
    const SKATE: &[Template] = &[t(
        3,
        "Skatekveld",
        "Skating med instruktør, brett og hjelm til utlån.",
        Category::Sport,
        (Some(8), Some(18)),
        0.0,
        [(17 * 60, 19 * 60), (18 * 60, 20 * 60)],
    )];
    const HOUSE: &[Template] = &[
        t(
            2,
            "Strikkekafé",
            "Ta med strikketøyet, eller lær av de andre.",
            Category::ArtsCrafts,
            (None, None),
            0.0,
            [(12 * 60, 14 * 60), (18 * 60, 20 * 60)],
        ),
        t(
            2,
            "Åpen møteplass",
            "Kaffe, aviser og folk å prate med.",
            Category::MeetingPlace,
            (None, None),
            0.0,
            [(10 * 60, 13 * 60), (11 * 60, 14 * 60)],
        ),
    ];
    match kind {
        FacilityKind::Pitch | FacilityKind::Track => PITCH,
        FacilityKind::SportsHall => HALL,
        FacilityKind::Library => LIBRARY,
        FacilityKind::School => SCHOOL,
        FacilityKind::YouthClub => YOUTH,
        FacilityKind::Playground => PLAYGROUND,
        FacilityKind::Park => PARK,
        FacilityKind::Skatepark => SKATE,
        FacilityKind::CultureHouse | FacilityKind::CommunityCentre => HOUSE,
        FacilityKind::Kindergarten | FacilityKind::FitnessStation => &[],
    }
}

/// Examples to write: activities and needs, each with the index of its organisation in
/// [`ORGANISATIONS`].
pub struct DemoProgramme {
    pub activities: Vec<(usize, ActivityDoc)>,
    pub needs: Vec<(usize, NeedDoc)>,
}

pub fn generate(s: &Snapshot, seed: u64, today: Date) -> DemoProgramme {
    let mut rng = Rng(seed);
    let mut activities = Vec::new();
    for f in &s.facilities {
        let options = templates(f.kind);
        if options.is_empty() || rng.below(3) != 0 {
            continue;
        }
        let t = rng.pick(options);
        let (start, end) = *rng.pick(&t.hours);
        let weekday = 1 + rng.below(if t.category == Category::Families {
            7
        } else {
            5
        }) as u8;
        let mut sessions = vec![Session {
            weekday,
            start: ClockTime { minutes: start },
            end: ClockTime { minutes: end },
        }];
        if rng.below(3) == 0 {
            sessions.push(Session {
                weekday: 1 + (weekday + 1) % 7,
                start: ClockTime { minutes: start },
                end: ClockTime { minutes: end },
            });
        }
        let mut accessibility = Vec::new();
        if f.wheelchair.as_deref() == Some("yes") {
            accessibility.push(Accessibility::Wheelchair);
        }
        activities.push((
            t.org,
            ActivityDoc {
                title: t.title.to_string(),
                description: Some(format!(
                    "Eksempel: ikke en ekte aktivitet. {}",
                    t.description
                )),
                category: t.category,
                age_min: t.ages.0,
                age_max: t.ages.1,
                price_nok: t.price,
                price_note: (t.price > 0.0).then(|| "per semester".to_string()),
                languages: vec!["nb".into()],
                accessibility,
                place: Place::Facility { facility_id: f.id },
                schedule: Schedule {
                    sessions,
                    valid_from: None,
                    valid_to: None,
                    exceptions: Vec::new(),
                },
                signup_url: None,
                contact: Some(ORGANISATIONS[t.org].2.to_string()),
                paused: false,
            },
        ));
    }
    const NEEDS: [(usize, &str, &str, &[&str]); 5] = [
        (
            0,
            "Trenerassistent for fotball",
            "2 timer i uka, hele sesongen",
            &["fotball", "barn"],
        ),
        (
            2,
            "Leksehjelpere",
            "1 kveld i uka",
            &["matematikk", "norsk"],
        ),
        (
            2,
            "Samtalepartner på språkkafé",
            "annenhver uke",
            &["norsk"],
        ),
        (5, "Turvenn for seniorer", "1 time i uka", &[]),
        (3, "Voksen på klubbkveld", "1 kveld i måneden", &["ungdom"]),
    ];
    let mut needs = Vec::new();
    for (org, title, time, skills) in NEEDS {
        // Placed where the organisation already has an activity, when it has one.
        let Some((_, a)) = activities
            .iter()
            .filter(|(o, _)| *o == org)
            .nth(rng.below(3) as usize)
            .or_else(|| activities.iter().find(|(o, _)| *o == org))
        else {
            continue;
        };
        let days = 45 + rng.below(90) as i64;
        needs.push((
            org,
            NeedDoc {
                title: title.to_string(),
                description: Some("Eksempel: ikke et ekte behov.".into()),
                place: a.place.clone(),
                time_commitment: time.to_string(),
                skills: skills.iter().map(|s| s.to_string()).collect(),
                valid_until: today
                    .checked_add(jiff::Span::new().days(days))
                    .unwrap_or(today),
            },
        ));
    }
    DemoProgramme { activities, needs }
}
