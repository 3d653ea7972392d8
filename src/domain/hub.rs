//! Knutepunkter (issue 18): in Drammen's model each kommunedel has a hub where residents meet
//! the municipality. A hub is a facility of kind `community_centre` (also asked for as
//! `knutepunkt`) with the services offered there, each with its own contact and opening hours.
//! Services come from a fixed list with Bokmål and English labels; operator files may name
//! them in Norwegian or English.

use serde::{Deserialize, Serialize};

/// A service offered at a knutepunkt. The string form (`as_str`) is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HubService {
    /// Innbyggertorg: the municipality's front desk.
    CitizenService,
    Library,
    /// Helsestasjon.
    HealthStation,
    /// Møterom til utlån.
    MeetingRooms,
    Cafe,
    /// Frivilligsentral.
    VolunteerCentre,
    /// NAV-veiledning.
    Nav,
    YouthClub,
    Other,
}

impl HubService {
    pub const ALL: [HubService; 9] = [
        HubService::CitizenService,
        HubService::Library,
        HubService::HealthStation,
        HubService::MeetingRooms,
        HubService::Cafe,
        HubService::VolunteerCentre,
        HubService::Nav,
        HubService::YouthClub,
        HubService::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HubService::CitizenService => "citizen_service",
            HubService::Library => "library",
            HubService::HealthStation => "health_station",
            HubService::MeetingRooms => "meeting_rooms",
            HubService::Cafe => "cafe",
            HubService::VolunteerCentre => "volunteer_centre",
            HubService::Nav => "nav",
            HubService::YouthClub => "youth_club",
            HubService::Other => "other",
        }
    }

    /// The Norwegian word an operator's file may use instead.
    fn norwegian(self) -> &'static str {
        match self {
            HubService::CitizenService => "innbyggertorg",
            HubService::Library => "bibliotek",
            HubService::HealthStation => "helsestasjon",
            HubService::MeetingRooms => "moterom",
            HubService::Cafe => "kafe",
            HubService::VolunteerCentre => "frivilligsentral",
            HubService::Nav => "nav-veiledning",
            HubService::YouthClub => "ungdomsklubb",
            HubService::Other => "annet",
        }
    }

    pub fn label_nb(self) -> &'static str {
        match self {
            HubService::CitizenService => "Innbyggertorg",
            HubService::Library => "Bibliotek",
            HubService::HealthStation => "Helsestasjon",
            HubService::MeetingRooms => "Møterom til utlån",
            HubService::Cafe => "Kafé",
            HubService::VolunteerCentre => "Frivilligsentral",
            HubService::Nav => "NAV-veiledning",
            HubService::YouthClub => "Ungdomsklubb",
            HubService::Other => "Annet",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            HubService::CitizenService => "Citizen service desk",
            HubService::Library => "Library",
            HubService::HealthStation => "Health clinic for children and families",
            HubService::MeetingRooms => "Meeting rooms to borrow",
            HubService::Cafe => "Café",
            HubService::VolunteerCentre => "Volunteer centre",
            HubService::Nav => "NAV guidance",
            HubService::YouthClub => "Youth club",
            HubService::Other => "Other",
        }
    }

    /// Reads a service as an operator writes it: the id, or the Norwegian word (case,
    /// spaces and æøå aside: `Møterom` → `moterom`).
    pub fn parse(s: &str) -> Option<HubService> {
        let folded: String = s
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| match c {
                'æ' => 'e',
                'ø' => 'o',
                'å' => 'a',
                'é' => 'e',
                ' ' => '_',
                c => c,
            })
            .collect();
        HubService::ALL.into_iter().find(|k| {
            k.as_str() == folded
                || k.norwegian() == folded
                || k.norwegian().replace('-', "_") == folded
                || (*k == HubService::MeetingRooms && folded.starts_with("moterom"))
                || (*k == HubService::Nav && folded == "nav")
        })
    }
}

/// One service at a hub, as stored in the facility's `services` property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubServiceEntry {
    pub service: HubService,
    /// A name of its own ("Åssiden bibliotek"), or what `other` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// OSM `opening_hours` syntax, as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_hours: Option<String>,
    /// A phone number, email or web address of the service (public: the municipality's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// Reads a `services` value from an operator's file: a JSON array of service ids (or
/// Norwegian words) or of objects `{service, name?, opening_hours?, contact?}`, or a text
/// of ids separated by `;` or `,` (a CSV cell).
///
/// Errors: the value and what is accepted.
pub fn parse_services(value: &serde_json::Value) -> Result<Vec<HubServiceEntry>, String> {
    let known = || {
        HubService::ALL
            .map(|s| format!("{} ({})", s.as_str(), s.norwegian()))
            .join(", ")
    };
    let one = |text: &str| {
        HubService::parse(text)
            .map(|service| HubServiceEntry {
                service,
                name: None,
                opening_hours: None,
                contact: None,
            })
            .ok_or_else(|| format!("unknown service {text:?}; services: {}", known()))
    };
    match value {
        serde_json::Value::Null => Ok(Vec::new()),
        serde_json::Value::String(s) => s
            .split([';', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(one)
            .collect(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                serde_json::Value::String(s) => one(s),
                serde_json::Value::Object(o) => {
                    let mut o = o.clone();
                    let service = o
                        .get("service")
                        .and_then(|v| v.as_str())
                        .ok_or_else(|| format!("a service without \"service\": {item}"))?
                        .to_string();
                    let parsed = one(&service)?.service;
                    o.insert("service".into(), parsed.as_str().into());
                    serde_json::from_value(serde_json::Value::Object(o))
                        .map_err(|e| format!("service {service:?}: {e}"))
                }
                other => Err(format!("a service is a text or an object, not {other}")),
            })
            .collect(),
        other => Err(format!(
            "services are a list or a text of ids separated by ';', not {other}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_read_as_operators_write_them() {
        assert_eq!(
            HubService::parse("Møterom til utlån"),
            Some(HubService::MeetingRooms)
        );
        assert_eq!(
            HubService::parse("innbyggertorg"),
            Some(HubService::CitizenService)
        );
        assert_eq!(HubService::parse("NAV"), Some(HubService::Nav));
        assert_eq!(HubService::parse("Kafé"), Some(HubService::Cafe));
        assert_eq!(HubService::parse("library"), Some(HubService::Library));
        assert_eq!(HubService::parse("svømmehall"), None);
        let list = parse_services(&serde_json::json!("bibliotek; kafe,helsestasjon")).unwrap();
        assert_eq!(
            list.iter().map(|s| s.service).collect::<Vec<_>>(),
            [
                HubService::Library,
                HubService::Cafe,
                HubService::HealthStation
            ]
        );
        let full = parse_services(&serde_json::json!([
            { "service": "Innbyggertorg", "opening_hours": "Mo-Fr 08:00-15:30", "contact": "23 00 00 00" },
            "ungdomsklubb"
        ]))
        .unwrap();
        assert_eq!(full[0].service, HubService::CitizenService);
        assert_eq!(full[0].opening_hours.as_deref(), Some("Mo-Fr 08:00-15:30"));
        let e = parse_services(&serde_json::json!(["svømmehall"])).unwrap_err();
        assert!(
            e.contains("unknown service \"svømmehall\"") && e.contains("innbyggertorg"),
            "{e}"
        );
        let e =
            parse_services(&serde_json::json!([{ "service": "kafe", "price": 3 }])).unwrap_err();
        assert!(e.contains("price"), "{e}");
    }
}
