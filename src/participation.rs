//! Medvirkning (issue 15, docs/PARTICIPATION.md): residents' proposals, their categories,
//! states and statuses, participation codes, the participant keys supports are counted by,
//! and what in a text looks like personal data. Pure: the store keeps them
//! (`store::participation`), the HTTP handlers check and answer (`http::participation`).

use serde::Serialize;

use crate::domain::FacilityKind;

/// What a proposal is about: a facility kind, or one of the other things residents ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub enum Category {
    Facility(FacilityKind),
    Safety,
    PathsLighting,
    MeetingPlace,
    ActivityIdea,
    Other,
}

impl From<Category> for String {
    fn from(c: Category) -> String {
        c.as_str().to_string()
    }
}

const OTHERS: [(&str, &str, &str, Category); 5] = [
    ("safety", "Trygghet", "Safety", Category::Safety),
    (
        "paths_lighting",
        "Stier og belysning",
        "Paths and lighting",
        Category::PathsLighting,
    ),
    (
        "meeting_place",
        "Møteplass",
        "Meeting place",
        Category::MeetingPlace,
    ),
    (
        "activity_idea",
        "Aktivitetsidé",
        "Activity idea",
        Category::ActivityIdea,
    ),
    ("other", "Annet", "Other", Category::Other),
];

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Facility(k) => k.as_str(),
            other => OTHERS.iter().find(|o| o.3 == other).expect("listed").0,
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        FacilityKind::parse(s)
            .map(Category::Facility)
            .or_else(|| OTHERS.iter().find(|o| o.0 == s).map(|o| o.3))
    }

    /// The label in `lang` (`nb` or `en`).
    pub fn label(self, lang: &str) -> &'static str {
        match self {
            Category::Facility(k) if lang == "en" => k.label_en(),
            Category::Facility(k) => k.label_nb(),
            other => {
                let o = OTHERS.iter().find(|o| o.3 == other).expect("listed");
                if lang == "en" { o.2 } else { o.1 }
            }
        }
    }

    pub fn kind(self) -> Option<FacilityKind> {
        match self {
            Category::Facility(k) => Some(k),
            _ => None,
        }
    }

    /// Every category's id, the facility kinds first.
    pub fn ids() -> Vec<&'static str> {
        FacilityKind::ALL
            .iter()
            .map(|k| k.as_str())
            .chain(OTHERS.iter().map(|o| o.0))
            .collect()
    }
}

macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal / $nb:literal / $en:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &[$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }

            /// The label in `lang` (`nb` or `en`).
            pub fn label(self, lang: &str) -> &'static str {
                match self { $($name::$variant => if lang == "en" { $en } else { $nb }),+ }
            }

            pub fn ids() -> Vec<&'static str> {
                vec![$($s),+]
            }
        }
    };
}

word_enum!(
    /// Where a proposal is in moderation (staff only).
    State {
        Unconfirmed = "unconfirmed" / "Venter på bekreftelse" / "Awaiting confirmation",
        Pending = "pending" / "Venter på godkjenning" / "Awaiting moderation",
        Published = "published" / "Publisert" / "Published",
        Rejected = "rejected" / "Avvist" / "Rejected",
        Merged = "merged" / "Slått sammen" / "Merged",
    }
);

word_enum!(
    /// The municipality's public status of a published proposal.
    Status {
        Received = "received" / "Mottatt" / "Received",
        UnderConsideration = "under_consideration" / "Til vurdering" / "Under consideration",
        Planned = "planned" / "Planlagt" / "Planned",
        Done = "done" / "Gjennomført" / "Done",
        NotPossible = "not_possible" / "Ikke mulig" / "Not possible",
    }
);

impl Status {
    /// A proposal with this status is closed: its proposer's email is deleted 90 days later.
    pub fn closes(self) -> bool {
        matches!(self, Status::Done | Status::NotPossible)
    }
}

/// The characters of `text` a reader sees: not counting zero-width and other format
/// characters, nor combining marks (so "é" written as e + ◌́ is one). What the length
/// limits count.
pub fn visible_chars(text: &str) -> usize {
    text.trim()
        .chars()
        .filter(|&c| {
            let u = c as u32;
            !(c.is_control()
                || (0x200B..=0x200F).contains(&u)
                || (0x2028..=0x202E).contains(&u)
                || (0x2060..=0x206F).contains(&u)
                || u == 0xFEFF
                || u == 0x00AD
                || (0x0300..=0x036F).contains(&u)
                || (0x1AB0..=0x1AFF).contains(&u)
                || (0x1DC0..=0x1DFF).contains(&u)
                || (0x20D0..=0x20FF).contains(&u)
                || (0xFE20..=0xFE2F).contains(&u))
        })
        .count()
}

/// Limits on what a resident writes, in characters.
pub const TITLE_CHARS: std::ops::RangeInclusive<usize> = 3..=120;
pub const TEXT_CHARS: std::ops::RangeInclusive<usize> = 10..=2000;
pub const ANSWER_CHARS: std::ops::RangeInclusive<usize> = 2..=4000;

/// How long a link that confirms an email is good for, and how long an unconfirmed
/// proposal or support is kept: 48 hours, in ms.
pub const LINK_MS: i64 = 48 * 3600 * 1000;
/// A proposer's email is deleted this long after the proposal was closed: 90 days, in ms.
pub const EMAIL_AFTER_CLOSE_MS: i64 = 90 * 24 * 3600 * 1000;
/// Codes are deleted this long after their batch expired: 90 days, in ms.
pub const CODES_AFTER_EXPIRY_MS: i64 = 90 * 24 * 3600 * 1000;
/// The walk a proposal's catchment is counted for, in minutes (issue 15).
pub const CATCHMENT_MINUTES: u32 = 10;

/// The alphabet of participation codes, to be read off paper by a pupil: of the pairs easily
/// read as each other (0/O, 1/I/L, 2/Z, 5/S, 8/B) it keeps 2, 5 and 8 only, and reads a typed
/// Z, S or B as them.
const CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY23456789";

/// A new participation code: 10 characters of 28 (48 bits from the operating system), shown
/// as `XXXX-XXXX-XX`.
pub fn new_code() -> String {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes).expect("the operating system gives randomness");
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| {
            // 256 is not a multiple of 28: the first letters come a little more often; the
            // bias leaves more than 46 bits, far beyond what the rate limit lets anyone try.
            CODE_ALPHABET[(*b as usize) % CODE_ALPHABET.len()] as char
        })
        .collect();
    let s: String = chars.into_iter().collect();
    format!("{}-{}-{}", &s[..4], &s[4..8], &s[8..])
}

/// A code as typed (any case, with or without dashes and spaces) in the form its SHA-256 is
/// taken of; `None` when it cannot be a code.
pub fn normalise_code(typed: &str) -> Option<String> {
    // What a pupil may have typed for a character codes do not have: the one it looks like.
    let s: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{a0}'))
        .map(|c| match c.to_ascii_uppercase() {
            'S' => '5',
            'Z' => '2',
            'B' => '8',
            'O' => '0',
            c => c,
        })
        .collect();
    (s.len() == 10 && s.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(s)
}

/// The SHA-256 (hex) a code is stored as.
pub fn code_sha256(typed: &str) -> Option<String> {
    normalise_code(typed).map(|c| sha256_hex(&c))
}

/// SHA-256 of a text, as 64 hex digits.
fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An email address as compared: trimmed and lower-cased; `None` when it is not one
/// (one `@`, something on each side, a dot in the domain, at most 254 characters).
pub fn normalise_email(typed: &str) -> Option<String> {
    let e = typed.trim().to_lowercase();
    let (local, domain) = e.split_once('@')?;
    let ok = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(e)
}

/// Who supports: a code's row, or an email by its SHA-256 (never the address itself).
pub fn participant_of_code(code_id: i64) -> String {
    format!("code:{code_id}")
}

pub fn participant_of_email(email: &str) -> String {
    format!("email:{}", sha256_hex(&email.to_lowercase()))
}

/// The most bytes a photo may have as sent.
pub const PHOTO_MAX_BYTES: usize = 8 * 1024 * 1024;
/// A stored photo fits in this many pixels each way.
pub const PHOTO_MAX_SIDE: u32 = 1600;
/// A photo wider or taller than this is refused before it is decoded (a decompression bomb
/// names a huge size in a few bytes).
const PHOTO_MAX_DECODE_SIDE: u32 = 12_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("the photo is larger than {} MB", PHOTO_MAX_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the photo is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error("the photo cannot be read: {0}")]
    Unreadable(String),
}

/// A resident's photo made fit to publish: decoded (JPEG, PNG or WebP, told by its content,
/// not its name), turned upright by its EXIF orientation, scaled to fit
/// [`PHOTO_MAX_SIDE`] pixels, and written anew as a JPEG (quality 82). Nothing of the file's
/// metadata survives: no EXIF, no GPS position, no camera serial number.
pub fn prepare_photo(bytes: &[u8]) -> Result<Vec<u8>, PhotoError> {
    use image::{ImageDecoder, ImageFormat, ImageReader};
    if bytes.len() > PHOTO_MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    if !matches!(
        reader.format(),
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)
    ) {
        return Err(PhotoError::NotAnImage);
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(PHOTO_MAX_DECODE_SIDE);
    limits.max_image_height = Some(PHOTO_MAX_DECODE_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder)
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    img.apply_orientation(orientation);
    if img.width() > PHOTO_MAX_SIDE || img.height() > PHOTO_MAX_SIDE {
        img = img.resize(
            PHOTO_MAX_SIDE,
            PHOTO_MAX_SIDE,
            image::imageops::FilterType::Triangle,
        );
    }
    let rgb = img.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
        .encode_image(&rgb)
        .map_err(|e| PhotoError::Unreadable(e.to_string()))?;
    Ok(out)
}

/// Something in a text that looks like personal data, for the moderator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Flag {
    /// `phone`, `email` or `name`.
    pub kind: String,
    pub text: String,
}

/// What in `text` looks like a phone number (8 digits, Norwegian, with optional +47 and
/// spaces), an email address, or a full name (two or three capitalised words in a row
/// that are not the first words of a sentence, and not `known`: a name of a place — a
/// street, facility or district). A heuristic for the
/// moderator's eye, not a filter: it flags, it does not refuse.
pub fn personal_data_flags(text: &str, known: &dyn Fn(&str) -> bool) -> Vec<Flag> {
    let mut flags: Vec<Flag> = Vec::new();
    // Email addresses.
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')')) {
        let w = word.trim_matches(|c: char| matches!(c, '.' | ':' | '!' | '?' | '"' | '\''));
        if w.contains('@') && normalise_email(w).is_some() {
            flags.push(Flag {
                kind: "email".into(),
                text: w.to_string(),
            });
        }
    }
    // Phone numbers: 8 digits (with +47 / 0047 in front, spaces or dashes between).
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() || chars[i] == '+' {
            let start = i;
            let mut digits = 0;
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit() || matches!(chars[j], ' ' | '-' | '+'))
            {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                }
                j += 1;
            }
            let run: String = chars[start..j].iter().collect();
            let run = run.trim().to_string();
            let bare = run.trim_start_matches('+');
            let national = bare
                .strip_prefix("0047")
                .or_else(|| bare.strip_prefix("47").filter(|_| run.starts_with('+')))
                .unwrap_or(bare);
            let national_digits = national.chars().filter(char::is_ascii_digit).count();
            if national_digits == 8 || (digits == 8 && !run.contains('+')) {
                flags.push(Flag {
                    kind: "phone".into(),
                    text: run,
                });
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    // Full names: runs of two or three capitalised words, not at a sentence's start.
    let words: Vec<&str> = text.split_whitespace().collect();
    let capital = |w: &str| {
        let w = w.trim_matches(|c: char| !c.is_alphabetic());
        let mut cs = w.chars();
        matches!(cs.next(), Some(c) if c.is_uppercase())
            && w.chars().count() >= 2
            && w.chars().skip(1).all(|c| c.is_lowercase() || c == '-')
    };
    let sentence_start = |i: usize| {
        i == 0
            || words[i - 1].ends_with('.')
            || words[i - 1].ends_with('!')
            || words[i - 1].ends_with('?')
            || words[i - 1].ends_with(':')
    };
    let mut i = 0;
    while i + 1 < words.len() {
        let mut j = i;
        while j < words.len() && j < i + 3 && capital(words[j]) {
            j += 1;
        }
        // A sentence's first word is capitalised anyway: the name is what follows it.
        let from = if sentence_start(i) { i + 1 } else { i };
        if j >= from + 2 {
            let name: Vec<&str> = words[from..j]
                .iter()
                .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()))
                .collect();
            let name = name.join(" ");
            if !known(&name) {
                flags.push(Flag {
                    kind: "name".into(),
                    text: name,
                });
            }
            i = j;
        } else {
            i += 1;
        }
    }
    dedup_flags(flags)
}

/// Each (kind, text) once, in the order first found.
pub fn dedup_flags(flags: Vec<Flag>) -> Vec<Flag> {
    let mut out: Vec<Flag> = Vec::with_capacity(flags.len());
    for f in flags {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> bool {
        false
    }

    #[test]
    fn categories_round_trip_and_are_labelled() {
        for id in Category::ids() {
            let c = Category::parse(id).expect(id);
            assert_eq!(c.as_str(), id);
            assert!(!c.label("nb").is_empty() && !c.label("en").is_empty());
        }
        assert_eq!(
            Category::parse("pitch").and_then(Category::kind),
            Some(FacilityKind::Pitch)
        );
        assert_eq!(Category::parse("safety").and_then(Category::kind), None);
        assert_eq!(Category::parse("ballbinge"), None);
    }

    #[test]
    fn codes_are_read_as_typed() {
        let code = new_code();
        assert_eq!(code.len(), 12);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(code_sha256(&typed), code_sha256(&code));
        assert!(code_sha256(&code).is_some());
        assert_eq!(
            normalise_code("ABCD-EFGH-I1"),
            None,
            "I and 1 are not in codes"
        );
        assert_eq!(normalise_code("ABCD-EFGH"), None);
        assert_eq!(
            normalise_code("acde-fghj-sz"),
            Some("ACDEFGHJ52".into()),
            "S and Z are read as the 5 and 2 they look like"
        );
        assert!(!new_code().contains(['S', 'Z', 'B', 'O', 'I', 'L', '0', '1']));
        assert_eq!(visible_chars("e\u{301}\u{200b}\u{200b}x"), 2);
        assert_eq!(visible_chars("  Ballbinge  "), 9);
        assert_ne!(new_code(), new_code());
    }

    #[test]
    fn emails_are_checked_loosely() {
        assert_eq!(
            normalise_email(" Ola@Example.NO "),
            Some("ola@example.no".into())
        );
        for bad in [
            "ola",
            "ola@",
            "@x.no",
            "ola@no",
            "ola@x.no@y.no",
            "o la@x.no",
        ] {
            assert_eq!(normalise_email(bad), None, "{bad}");
        }
    }

    /// A JPEG of `w`×`h` with an EXIF block carrying a GPS tag and a camera serial number,
    /// spliced in after the start-of-image marker as cameras write it.
    fn jpeg_with_exif(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut plain = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
            .encode_image(&img)
            .unwrap();
        // TIFF header (little-endian), one IFD entry: Orientation = 6 (rotate 90° clockwise),
        // then text a reader could find: "GPSLatitude" and a serial.
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&[
            1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        tiff.extend_from_slice(b"GPSLatitude 59.91 SerialNumber CAM-123456");
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn photos_lose_their_metadata_and_fit_the_size() {
        let sent = jpeg_with_exif(2400, 1200);
        assert!(
            sent.windows(11).any(|w| w == b"GPSLatitude"),
            "the test photo carries EXIF"
        );
        let kept = prepare_photo(&sent).unwrap();
        for needle in [&b"Exif"[..], b"GPSLatitude", b"CAM-123456"] {
            assert!(
                !kept.windows(needle.len()).any(|w| w == needle),
                "{needle:?} survived"
            );
        }
        let img = image::load_from_memory(&kept).unwrap();
        // Turned upright (orientation 6: the 2400×1200 picture stands 1200×2400), then fit.
        assert_eq!((img.width(), img.height()), (800, 1600));
        // A PNG is written as a JPEG too; a small one keeps its size.
        let mut png = Vec::new();
        image::RgbaImage::from_pixel(300, 200, image::Rgba([10, 20, 30, 255]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let kept = prepare_photo(&png).unwrap();
        assert_eq!(
            image::guess_format(&kept).unwrap(),
            image::ImageFormat::Jpeg
        );
        assert_eq!(image::load_from_memory(&kept).unwrap().width(), 300);
    }

    #[test]
    fn what_is_not_a_photo_is_refused() {
        assert_eq!(
            prepare_photo(b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            Err(PhotoError::NotAnImage)
        );
        assert_eq!(
            prepare_photo(b"GIF89a\x01\0\x01\0"),
            Err(PhotoError::NotAnImage)
        );
        assert_eq!(
            prepare_photo(&vec![0xFF; PHOTO_MAX_BYTES + 1]),
            Err(PhotoError::TooLarge)
        );
        // A PNG header that claims 100 000 × 100 000 pixels is refused before decoding.
        let mut bomb = Vec::new();
        image::RgbImage::from_pixel(1, 1, image::Rgb([0, 0, 0]))
            .write_to(
                &mut std::io::Cursor::new(&mut bomb),
                image::ImageFormat::Png,
            )
            .unwrap();
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(matches!(
            prepare_photo(&bomb),
            Err(PhotoError::Unreadable(_))
        ));
        // Truncated JPEG.
        let sent = jpeg_with_exif(64, 64);
        assert!(matches!(
            prepare_photo(&sent[..sent.len() / 3]),
            Err(PhotoError::Unreadable(_))
        ));
    }

    #[test]
    fn personal_data_is_flagged() {
        let text = "Ring meg på 912 34 567 eller +47 41234567, eller skriv til kari@example.no. \
                    Jeg heter Kari Nordmann og bor ved Konnerud skole.";
        let known = |w: &str| matches!(w, "Konnerud" | "Konnerud skole");
        let flags = personal_data_flags(text, &known);
        let kinds: Vec<(&str, &str)> = flags
            .iter()
            .map(|f| (f.kind.as_str(), f.text.as_str()))
            .collect();
        assert!(kinds.contains(&("email", "kari@example.no")), "{kinds:?}");
        assert!(kinds.contains(&("phone", "912 34 567")), "{kinds:?}");
        assert!(kinds.contains(&("phone", "+47 41234567")), "{kinds:?}");
        assert!(kinds.contains(&("name", "Kari Nordmann")), "{kinds:?}");
        assert!(!kinds.iter().any(|k| k.1.contains("Konnerud")), "{kinds:?}");
        // An ordinary proposal flags nothing.
        let plain =
            "Vi trenger en ballbinge her. Det er 200 barn i nabolaget og ingen plass å spille.";
        assert_eq!(personal_data_flags(plain, &none), vec![]);
        // A year or a count is not a phone number.
        assert_eq!(
            personal_data_flags("Bygget i 2024, 12 000 kvm.", &none),
            vec![]
        );
    }
}
