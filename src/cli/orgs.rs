//! `org`, `token`, `audit`: the organisations that keep the programme, their API tokens,
//! and the log of every write.

use anyhow::Context;

use super::{OrgCommand, TokenCommand};
use crate::app;
use crate::config::Settings;

pub async fn org(settings: &Settings, cmd: OrgCommand) -> anyhow::Result<()> {
    match cmd {
        OrgCommand::Create {
            name,
            kind,
            contact,
        } => {
            let store = app::open_store(settings, "naermiljo-org").await?;
            let name = name.trim();
            anyhow::ensure!(
                (2..=120).contains(&name.chars().count()),
                "--name must be 2–120 characters"
            );
            if let Some(o) = store
                .load_programme()
                .await?
                .organisations
                .iter()
                .find(|o| o.name.to_lowercase() == name.to_lowercase())
            {
                anyhow::bail!(
                    "an organisation named {:?} exists already (id {}); choose another name",
                    o.name,
                    o.id
                );
            }
            let id = store
                .create_organisation(name, kind, contact.as_deref(), false, None)
                .await
                .with_context(|| {
                    format!("cannot add the organisation {name:?} (is the name taken?)")
                })?;
            println!("{id}");
            Ok(())
        }
        OrgCommand::List => {
            let store = app::open_store(settings, "naermiljo-org").await?;
            println!("id\tkind\tname\tcreated (Oslo)\tstate");
            for o in store.load_programme().await?.organisations {
                println!(
                    "{}\t{}\t{}\t{}\t{}{}",
                    o.id,
                    o.kind.as_str(),
                    o.name,
                    oslo_time(o.created_ms),
                    if o.active { "active" } else { "deactivated" },
                    if o.example { " (example)" } else { "" }
                );
            }
            Ok(())
        }
    }
}

pub async fn token(settings: &Settings, cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create { org, role, label } => {
            let store = app::open_store(settings, "naermiljo-token").await?;
            let organisations = store.load_programme().await?.organisations;
            let found = organisations.iter().find(|o| {
                org.trim().parse::<i64>().ok() == Some(o.id)
                    || o.name.to_lowercase() == org.trim().to_lowercase()
            });
            let Some(found) = found else {
                anyhow::bail!(
                    "no organisation {org:?}: give its id or name as `naermiljo org list` shows them"
                );
            };
            let org = found.id;
            let token = crate::store::editing::new_token();
            let hash = crate::store::editing::token_sha256(&token);
            let id = store
                .create_token(org, role, &hash, label.as_deref(), None)
                .await
                .with_context(|| format!("cannot make a token for organisation {org}"))?;
            eprintln!(
                "Token {id}: {} for organisation {org}. It is shown only now; keep it secret.\n\
                     Use it as `Authorization: Bearer TOKEN`; revoke it with `naermiljo token revoke {id}`.",
                role.as_str()
            );
            println!("{token}");
            Ok(())
        }
        TokenCommand::List => {
            let store = app::open_store(settings, "naermiljo-token").await?;
            let organisations = store.load_programme().await?.organisations;
            println!("id\torganisation\trole\tlabel\tcreated (Oslo)\tlast used (Oslo)\tstate");
            for t in store.tokens().await? {
                let org = organisations.iter().find(|o| o.id == t.org_id).map_or_else(
                    || format!("org {}", t.org_id),
                    |o| format!("{} ({})", o.name, o.id),
                );
                println!(
                    "{}\t{org}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.role,
                    t.label.as_deref().unwrap_or("-"),
                    oslo_time(t.created_ms),
                    t.last_used_ms.map_or_else(|| "never".into(), oslo_time),
                    if t.revoked { "revoked" } else { "active" }
                );
            }
            Ok(())
        }
        TokenCommand::Revoke { id } => {
            let store = app::open_store(settings, "naermiljo-token").await?;
            if store
                .tokens()
                .await?
                .iter()
                .any(|t| t.id == id && t.revoked)
            {
                println!("token {id} was revoked already");
                return Ok(());
            }
            anyhow::ensure!(
                store.revoke_token(id, None).await?,
                "no token {id} to revoke (see `naermiljo token list`)"
            );
            println!("token {id} revoked");
            Ok(())
        }
    }
}

/// `2026-11-30 15:04` in Europe/Oslo, for people reading a list.
fn oslo_time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(crate::domain::activity::oslo())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// `naermiljo audit`: the newest writes, as JSON lines, each with `at`: when, in
/// Europe/Oslo time with its offset (RFC 3339), beside `at_ms`.
pub async fn audit(settings: &Settings, limit: i64) -> anyhow::Result<()> {
    let store = app::open_store(settings, "naermiljo-audit").await?;
    for row in store.audit_log(limit.clamp(1, 10_000)).await? {
        let mut line = serde_json::to_value(&row)?;
        if let Ok(t) = jiff::Timestamp::from_millisecond(row.at_ms) {
            let oslo = t.to_zoned_datetime(crate::domain::activity::oslo());
            line["at"] = serde_json::json!(oslo.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string());
        }
        println!("{line}");
    }
    Ok(())
}
