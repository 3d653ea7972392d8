//! Email that is never lost: every message goes to the store's outbox first, in the same
//! request that causes it, and [`OutboxWorker`] sends what is due through an SMTP relay
//! (lettre) with retries: 1, 2, 4 … minutes apart, at most an hour. Without a relay the
//! messages stay queued, and staff see them in the outbox (`naermiljo outbox`, the admin
//! pages). Templates in Norwegian Bokmål and English, by the person's language.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::store::Store;
use crate::store::accounts::{MailRow, NewMail, Person};
use crate::store::editing::now_ms;

/// The product's name in subjects.
const PRODUCT: &str = "Nærmiljø";

fn english(p: &Person) -> bool {
    p.lang == "en"
}

/// The link that confirms a resident's email: for a proposal made with an email alone, or
/// (`with_code`) for the answers to one made with a participation code.
pub fn confirm_proposal(
    email: &str,
    lang: &str,
    title: &str,
    link: &str,
    with_code: bool,
) -> NewMail {
    let (subject, body) = if lang == "en" {
        let what = if with_code {
            "Confirm this address, and the municipality's answers to your proposal will come here"
        } else {
            "Confirm your proposal, and it goes to the municipality's moderators"
        };
        (
            format!("{PRODUCT}: confirm your proposal"),
            format!(
                "Hello,\n\nYou proposed «{title}».\n\n{what}. The link works once, for 48 hours:\n\n{link}\n\n\
                 Your address is used only for answers about this proposal and is deleted 90 days after it is closed.\n\
                 If it was not you, ignore this message: nothing happens without the link.\n"
            ),
        )
    } else {
        let what = if with_code {
            "Bekreft adressen, så kommer kommunens svar på forslaget ditt hit"
        } else {
            "Bekreft forslaget, så går det videre til kommunens moderatorer"
        };
        (
            format!("{PRODUCT}: bekreft forslaget ditt"),
            format!(
                "Hei,\n\nDu har foreslått «{title}».\n\n{what}. Lenken virker én gang, i 48 timer:\n\n{link}\n\n\
                 Adressen brukes bare til svar om dette forslaget og slettes 90 dager etter at det er avsluttet.\n\
                 Var det ikke deg, kan du se bort fra e-posten: ingenting skjer uten lenken.\n"
            ),
        )
    };
    NewMail {
        recipient: email.to_string(),
        subject,
        body,
        kind: "proposal_confirm".into(),
    }
}

/// The link that counts a support given with an email.
pub fn confirm_support(email: &str, lang: &str, title: &str, link: &str) -> NewMail {
    let (subject, body) = if lang == "en" {
        (
            format!("{PRODUCT}: confirm your support"),
            format!(
                "Hello,\n\nOpen this link to support «{title}». It works once, for 48 hours:\n\n{link}\n\n\
                 We keep no copy of your address for this: only a fingerprint of it, so that you count once.\n"
            ),
        )
    } else {
        (
            format!("{PRODUCT}: bekreft støtten din"),
            format!(
                "Hei,\n\nÅpne lenken for å støtte «{title}». Den virker én gang, i 48 timer:\n\n{link}\n\n\
                 Vi tar ikke vare på adressen din for dette, bare et fingeravtrykk av den, så du telles én gang.\n"
            ),
        )
    };
    NewMail {
        recipient: email.to_string(),
        subject,
        body,
        kind: "support_confirm".into(),
    }
}

/// What the proposer hears after a moderator's action: published, rejected (with the
/// reason), or answered (the status and the answer). Edits and merges are not mailed.
pub fn proposal_notice(
    email: &str,
    lang: &str,
    row: &crate::store::participation::ProposalRow,
    action: &crate::store::participation::Moderation,
    base: &str,
) -> Option<NewMail> {
    use crate::store::participation::Moderation;
    let en = lang == "en";
    let title = &row.title;
    // The map at the proposal: its list shows the proposals nearest the point first.
    let link = format!(
        "{base}/?point={:.6},{:.6}{}",
        row.lon,
        row.lat,
        if en { "&lang=en" } else { "" }
    );
    let (subject, text) = match action {
        Moderation::Publish if en => (
            "your proposal is published".to_string(),
            format!("«{title}» is now on the map, where others can support it:\n\n{link}"),
        ),
        Moderation::Publish => (
            "forslaget ditt er publisert".to_string(),
            format!("«{title}» ligger nå på kartet, der andre kan støtte det:\n\n{link}"),
        ),
        Moderation::Reject { reason } if en => (
            "your proposal was not published".to_string(),
            format!("«{title}» was not published. The reason:\n\n{reason}"),
        ),
        Moderation::Reject { reason } => (
            "forslaget ditt ble ikke publisert".to_string(),
            format!("«{title}» ble ikke publisert. Begrunnelsen:\n\n{reason}"),
        ),
        Moderation::Answer { status, answer } if en => (
            format!(
                "answer to your proposal: {}",
                status.label("en").to_lowercase()
            ),
            format!(
                "The municipality has answered «{title}».\n\nStatus: {}\n\n{answer}\n\n{link}",
                status.label("en")
            ),
        ),
        Moderation::Answer { status, answer } => (
            format!(
                "svar på forslaget ditt: {}",
                status.label("nb").to_lowercase()
            ),
            format!(
                "Kommunen har svart på «{title}».\n\nStatus: {}\n\n{answer}\n\n{link}",
                status.label("nb")
            ),
        ),
        Moderation::Edit { .. } | Moderation::Merge { .. } => return None,
    };
    let footer = if en {
        "Your address is deleted 90 days after the proposal is closed."
    } else {
        "Adressen din slettes 90 dager etter at forslaget er avsluttet."
    };
    Some(NewMail {
        recipient: email.to_string(),
        subject: format!("{PRODUCT}: {subject}"),
        body: format!(
            "{}\n\n{text}\n\n{footer}\n",
            if en { "Hello," } else { "Hei," }
        ),
        kind: format!("proposal_{}", action.name()),
    })
}

/// A one-time sign-in link.
pub fn sign_in_link(p: &Person, link: &str) -> NewMail {
    let (subject, body) = if english(p) {
        (
            format!("{PRODUCT}: your sign-in link"),
            format!(
                "Hello {name},\n\nOpen this link to sign in. It works once, for 20 minutes:\n\n{link}\n\n\
                 If you did not ask for it, you can ignore this message.\n",
                name = p.name
            ),
        )
    } else {
        (
            format!("{PRODUCT}: lenke for å logge inn"),
            format!(
                "Hei {name},\n\nÅpne denne lenken for å logge inn. Den virker én gang, i 20 minutter:\n\n{link}\n\n\
                 Har du ikke bedt om den, kan du se bort fra denne e-posten.\n",
                name = p.name
            ),
        )
    };
    NewMail {
        recipient: p.email.clone(),
        subject,
        body,
        kind: "sign_in".into(),
    }
}

/// An invitation, for an organisation (`org`, its name) or as staff, from the person
/// `by` (their name; `None`: the command line). Opening the link is the yes; someone
/// without a password chooses one then.
pub fn invitation(p: &Person, org: Option<&str>, by: Option<&str>, link: &str) -> NewMail {
    let new = p.password_hash.is_none();
    let (subject, body) = if english(p) {
        let what = match org {
            Some(o) => format!("to keep {o}'s activities and volunteer needs up to date"),
            None => "as municipal staff".into(),
        };
        let who = by.map_or(String::new(), |b| format!("{b} has invited you"));
        let step = if new {
            "Open this link to accept and choose a password"
        } else {
            "Open this link to accept (you sign in as usual)"
        };
        (
            format!(
                "{PRODUCT}: you are invited{}",
                org.map_or(String::new(), |o| format!(" to {o}"))
            ),
            format!(
                "Hello {name},\n\n{who}{sep}You are invited to {PRODUCT}, the municipality's map of neighbourhood \
                 facilities and activities, {what}.\n{step}. It works once, for 24 hours:\n\n{link}\n\n\
                 If you do not expect this, ignore the message: nothing happens without the link.\n",
                name = p.name,
                sep = if who.is_empty() { "" } else { ".\n" },
            ),
        )
    } else {
        let what = match org {
            Some(o) => {
                format!("for å holde aktivitetene og frivillighetsbehovene til {o} oppdatert")
            }
            None => "som ansatt i kommunen".into(),
        };
        let who = by.map_or(String::new(), |b| format!("{b} har invitert deg"));
        let step = if new {
            "Åpne denne lenken for å takke ja og velge passord"
        } else {
            "Åpne denne lenken for å takke ja (du logger inn som vanlig)"
        };
        (
            format!(
                "{PRODUCT}: du er invitert{}",
                org.map_or(String::new(), |o| format!(" til {o}"))
            ),
            format!(
                "Hei {name},\n\n{who}{sep}Du er invitert til {PRODUCT}, kommunens kart over nærmiljøets \
                 møteplasser og aktiviteter, {what}.\n{step}. Den virker én gang, i 24 timer:\n\n{link}\n\n\
                 Venter du ikke denne e-posten, kan du se bort fra den: ingenting skjer uten lenken.\n",
                name = p.name,
                sep = if who.is_empty() { "" } else { ".\n" },
            ),
        )
    };
    NewMail {
        recipient: p.email.clone(),
        subject,
        body,
        kind: "invitation".into(),
    }
}

/// A new offer of help for one of the organisation's volunteer needs; `page` is the
/// organisations' page, where the offer is answered.
pub fn new_offer(
    p: &Person,
    need_title: &str,
    offer: &crate::domain::activity::HelpOffer,
    page: &str,
) -> NewMail {
    let message = offer.message.as_deref().unwrap_or("").trim();
    let (subject, body) = if english(p) {
        (
            format!(
                "{PRODUCT}: {} offers to help with \"{need_title}\"",
                offer.name.trim()
            ),
            format!(
                "Hello {name},\n\n{who} offers to help with \"{need_title}\".\nContact: {contact}\n{message}\n\n\
                 Answer them, and mark the offer as contacted or declined on the organisations' page:\n{page}\n\n\
                 Offers are deleted when the need expires.\n",
                name = p.name,
                who = offer.name.trim(),
                contact = offer.contact.trim(),
            ),
        )
    } else {
        (
            format!(
                "{PRODUCT}: {} vil hjelpe med «{need_title}»",
                offer.name.trim()
            ),
            format!(
                "Hei {name},\n\n{who} vil hjelpe med «{need_title}».\nKontakt: {contact}\n{message}\n\n\
                 Svar vedkommende, og merk tilbudet som kontaktet eller avslått på organisasjonssiden:\n{page}\n\n\
                 Tilbudene slettes når behovet utløper.\n",
                name = p.name,
                who = offer.name.trim(),
                contact = offer.contact.trim(),
            ),
        )
    };
    NewMail {
        recipient: p.email.clone(),
        subject,
        body,
        kind: "offer".into(),
    }
}

/// A date as a person reads it: "2. desember 2026" in Norwegian, "2 December 2026" in
/// English.
pub fn written_date(d: jiff::civil::Date, lang: &str) -> String {
    const NB: [&str; 12] = [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = (d.month() - 1) as usize;
    if lang == "en" {
        format!("{} {} {}", d.day(), EN[month], d.year())
    } else {
        format!("{}. {} {}", d.day(), NB[month], d.year())
    }
}

/// A volunteer need about to expire: extend it or let it go.
pub fn need_expires(
    p: &Person,
    need_title: &str,
    valid_until: jiff::civil::Date,
    page: &str,
) -> NewMail {
    let valid_until = written_date(valid_until, &p.lang);
    let (subject, body) = if english(p) {
        (
            format!("{PRODUCT}: \"{need_title}\" expires on {valid_until}"),
            format!(
                "Hello {name},\n\nYour volunteer need \"{need_title}\" is shown until {valid_until}. \
                 To keep it on the map, extend it:\n\n{page}\n\nOffers of help for it are deleted when it expires.\n",
                name = p.name
            ),
        )
    } else {
        (
            format!("{PRODUCT}: «{need_title}» utløper {valid_until}"),
            format!(
                "Hei {name},\n\nFrivillighetsbehovet «{need_title}» vises til og med {valid_until}. \
                 Vil dere beholde det på kartet, forleng det:\n\n{page}\n\nTilbud om hjelp til det slettes når det utløper.\n",
                name = p.name
            ),
        )
    };
    NewMail {
        recipient: p.email.clone(),
        subject,
        body,
        kind: "need_expires".into(),
    }
}

/// How many days before its last day a need's organisation is reminded.
pub const REMIND_DAYS_BEFORE: i64 = 3;

/// Reminds each organisation, once per need, of its volunteer needs that end within
/// [`REMIND_DAYS_BEFORE`] days (from `today`, Oslo). `base` is the public origin for the
/// link to the organisations' page. Returns how many emails it queued.
pub async fn remind_expiring_needs(
    store: &dyn Store,
    snapshot: &crate::index::Snapshot,
    today: jiff::civil::Date,
    base: &str,
) -> Result<usize, crate::store::StoreError> {
    let last = today
        .checked_add(jiff::Span::new().days(REMIND_DAYS_BEFORE))
        .unwrap_or(today);
    let mut queued = 0;
    for n in &snapshot.programme.needs.items {
        if n.example || n.doc.valid_until < today || n.doc.valid_until > last {
            continue;
        }
        if !store.claim_reminder(n.id, now_ms()).await? {
            continue;
        }
        let page = format!("{}/org", base.trim_end_matches('/'));
        for member in recipients(store, n.org_id).await? {
            let mail = need_expires(&member, &n.doc.title, n.doc.valid_until, &page);
            store.enqueue_mail(&mail, now_ms()).await?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Who gets an organisation's email: its members who accepted and are not disabled.
async fn recipients(
    store: &dyn Store,
    org_id: i64,
) -> Result<Vec<Person>, crate::store::StoreError> {
    Ok(store
        .members(org_id)
        .await?
        .into_iter()
        .filter(|m| !m.pending && !m.person.disabled)
        .map(|m| m.person)
        .collect())
}

/// After an offer of help is stored: an email to each member of the need's organisation
/// (the offer's name, contact and message are for them; nothing else gets them), with a
/// link to the organisations' page at `base`.
pub async fn notify_offer(
    store: &dyn Store,
    snapshot: &crate::index::Snapshot,
    need_id: i64,
    offer: &crate::domain::activity::HelpOffer,
    base: &str,
) -> Result<(), crate::store::StoreError> {
    let page = format!("{}/org", base.trim_end_matches('/'));
    let Some(i) = snapshot.programme.needs.index_of(need_id) else {
        return Ok(());
    };
    let n = &snapshot.programme.needs.items[i as usize];
    for member in recipients(store, n.org_id).await? {
        store
            .enqueue_mail(&new_offer(&member, &n.doc.title, offer, &page), now_ms())
            .await?;
    }
    Ok(())
}

/// Where and as whom the worker sends.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// `smtp://host:port` (STARTTLS when offered, `?tls=required` to insist),
    /// `smtps://host:465` (TLS), user and password in the URL (lettre's `from_url`).
    pub url: String,
    /// The `From:` address, `Nærmiljø <noreply@kommune.no>`.
    pub from: String,
}

/// Sends the outbox's due messages; one per server.
pub struct OutboxWorker {
    store: Arc<dyn Store>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// The wait before the next attempt after `attempts` failed ones: 1, 2, 4 … minutes, at most
/// an hour.
pub fn retry_after_ms(attempts: i64) -> i64 {
    let minutes = 1i64 << attempts.clamp(0, 6);
    minutes.min(60) * 60_000
}

impl OutboxWorker {
    /// Errors: an SMTP URL or a From address lettre cannot read.
    pub fn new(store: Arc<dyn Store>, smtp: &SmtpSettings) -> Result<OutboxWorker, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
            .map_err(|e| format!("--smtp-url {:?}: {e}", redact(&smtp.url)))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = smtp
            .from
            .parse()
            .map_err(|e| format!("--mail-from {:?}: {e}", smtp.from))?;
        Ok(OutboxWorker {
            store,
            transport,
            from,
        })
    }

    /// Sends every message due at `now` (Unix ms); returns how many were sent. A message
    /// that fails stays queued with its error and a later time to try again; the rest go on.
    pub async fn send_due(&self, now: i64) -> Result<usize, crate::store::StoreError> {
        let mut sent = 0;
        for m in self.store.due_mail(now, 50).await? {
            match self.send(&m).await {
                Ok(()) => {
                    self.store.mail_sent(m.id, now_ms()).await?;
                    sent += 1;
                }
                Err(e) => {
                    tracing::warn!(id = m.id, attempts = m.attempts + 1, error = %e, "email not sent; will retry");
                    self.store
                        .mail_failed(m.id, &e, now + retry_after_ms(m.attempts))
                        .await?;
                }
            }
        }
        Ok(sent)
    }

    async fn send(&self, m: &MailRow) -> Result<(), String> {
        let to: Mailbox = m
            .recipient
            .parse()
            .map_err(|e| format!("recipient {:?}: {e}", m.recipient))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&m.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Sends what is due every `every`, until the task is dropped.
    pub async fn run(self, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.send_due(now_ms()).await {
                tracing::warn!(error = %e, "cannot read the outbox now");
            }
        }
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    crate::store::postgis::redact(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(lang: &str) -> Person {
        Person {
            id: 1,
            email: "kari@example.org".into(),
            name: "Kari".into(),
            password_hash: None,
            staff_role: None,
            lang: lang.into(),
            disabled: false,
        }
    }

    #[test]
    fn templates_speak_the_persons_language_and_carry_the_link() {
        let nb = invitation(
            &person("nb"),
            Some("Strømsø IL"),
            Some("Åse Leder"),
            "https://x/auth/link/abc",
        );
        assert!(nb.subject.contains("invitert") && nb.body.contains("Strømsø IL"));
        assert!(nb.body.contains("https://x/auth/link/abc"));
        assert!(
            nb.body.contains("Åse Leder har invitert deg") && nb.body.contains("velge passord")
        );
        let mut member = person("en");
        member.password_hash = Some("$argon2id$…".into());
        let en = invitation(&member, Some("Strømsø IL"), None, "https://x/auth/link/abc");
        assert!(
            en.body.contains("to accept (you sign in as usual)"),
            "{}",
            en.body
        );
        let en = sign_in_link(&person("en"), "https://x/auth/link/def");
        assert!(en.subject.contains("sign-in") && en.body.contains("https://x/auth/link/def"));
        assert_eq!(en.recipient, "kari@example.org");
    }

    #[test]
    fn dates_are_written_as_people_write_them() {
        let d = jiff::civil::date(2026, 12, 2);
        assert_eq!(written_date(d, "nb"), "2. desember 2026");
        assert_eq!(written_date(d, "en"), "2 December 2026");
        assert_eq!(
            written_date(jiff::civil::date(2027, 1, 31), "nb"),
            "31. januar 2027"
        );
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(retry_after_ms(0), 60_000);
        assert_eq!(retry_after_ms(1), 120_000);
        assert_eq!(retry_after_ms(5), 32 * 60_000);
        assert_eq!(retry_after_ms(6), 60 * 60_000);
        assert_eq!(retry_after_ms(60), 60 * 60_000);
    }
}
