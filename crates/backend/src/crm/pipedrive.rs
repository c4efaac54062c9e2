//! Pipedrive API v2: deals read page by page (`GET /api/v2/deals`, `updated_since` for an
//! incremental sync, cursor pagination), then the deleted ones (`status=deleted`), organization
//! names for a page in one request, write-back
//! to custom fields with `PATCH /api/v2/deals/{id}`, and webhooks checked by HTTP basic auth.

use crate::outbound::Outbound;
use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::client::{self, Connection, CrmError, Page, Record};
use domain::crm::{CrmDeal, CrmKind, CrmPartner, WriteBack, partner_names};
use domain::deal::DealStage;

const LIMIT: u32 = 100;

fn get(http: &Outbound, conn: &Connection, path: &str) -> reqwest::RequestBuilder {
    http.get(conn.url(path)).header("x-api-token", &conn.token)
}

/// A cursor in the second phase of a sync: the deleted deals, from the cursor after it.
const DELETED: &str = "deleted:";

/// A page of deals: live ones, or (`deleted`) those deleted (Pipedrive keeps them 30 days).
async fn deals_page(
    http: &Outbound,
    conn: &Connection,
    cursor: Option<&str>,
    since: Option<DateTime<Utc>>,
    deleted: bool,
) -> Result<Value, CrmError> {
    let mut query = vec![
        ("limit", LIMIT.to_string()),
        ("sort_by", "update_time".to_owned()),
        ("sort_direction", "asc".to_owned()),
    ];
    if deleted {
        query.push(("status", "deleted".to_owned()));
    }
    if let Some(since) = since {
        query.push((
            "updated_since",
            since.to_rfc3339_opts(SecondsFormat::Secs, true),
        ));
    }
    if let Some(cursor) = cursor {
        query.push(("cursor", cursor.to_owned()));
    }
    client::send(
        http,
        CrmKind::Pipedrive,
        get(http, conn, "/api/v2/deals").query(&query),
    )
    .await
}

fn next_cursor(body: &Value) -> Option<String> {
    body.pointer("/additional_data/next_cursor")
        .map(|c| client::text(Some(c)))
        .filter(|c| !c.is_empty())
}

pub async fn fetch(
    http: &Outbound,
    conn: &Connection,
    cursor: Option<&str>,
    since: Option<DateTime<Utc>>,
) -> Result<Page, CrmError> {
    if let Some(after) = cursor.and_then(|c| c.strip_prefix(DELETED)) {
        let after = Some(after).filter(|a| !a.is_empty());
        let body = deals_page(http, conn, after, since, true).await?;
        return Ok(deleted_page(&body));
    }
    let body = deals_page(http, conn, cursor, since, false).await?;
    let deals = body
        .get("data")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let org_ids: Vec<String> = deals
        .iter()
        .filter_map(|d| d.get("org_id").and_then(Value::as_i64))
        .map(|id| id.to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let orgs = if org_ids.is_empty() {
        HashMap::new()
    } else {
        let body = client::send(
            http,
            CrmKind::Pipedrive,
            get(http, conn, "/api/v2/organizations").query(&[("ids", org_ids.join(","))]),
        )
        .await?;
        organizations(&body)
    };
    Ok(Page {
        records: deals
            .iter()
            .filter(|d| !is_deleted(d))
            .map(|d| record(conn, d, &orgs))
            .collect(),
        // The live deals read, the deleted ones follow.
        next: next_cursor(&body).or_else(|| Some(DELETED.to_owned())),
        total: None,
    })
}

fn is_deleted(deal: &Value) -> bool {
    deal.get("is_deleted").and_then(Value::as_bool) == Some(true)
        || deal.get("status").and_then(Value::as_str) == Some("deleted")
}

fn deleted_page(body: &Value) -> Page {
    Page {
        records: body
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|deal| Record::Deleted {
                id: client::text(deal.get("id")),
                name: client::text(deal.get("title")),
            })
            .filter(|r| !matches!(r, Record::Deleted { id, .. } if id.is_empty()))
            .collect(),
        next: next_cursor(body).map(|c| format!("{DELETED}{c}")),
        total: None,
    }
}

fn organizations(body: &Value) -> HashMap<i64, String> {
    body.get("data")
        .and_then(Value::as_array)
        .map(|orgs| {
            orgs.iter()
                .filter_map(|o| Some((o.get("id")?.as_i64()?, client::text(o.get("name")))))
                .collect()
        })
        .unwrap_or_default()
}

/// A custom field's value: text, or an organization / person field's `{name}`.
fn partners_in(value: Option<&Value>) -> Vec<CrmPartner> {
    match value {
        Some(Value::Object(object)) => {
            let name = client::text(object.get("name"));
            let id = client::text(object.get("value").or(object.get("id")));
            if name.trim().is_empty() {
                Vec::new()
            } else {
                vec![CrmPartner {
                    id: Some(id).filter(|i| !i.is_empty()),
                    name,
                }]
            }
        }
        other => partner_names(&client::text(other)),
    }
}

fn record(conn: &Connection, deal: &Value, orgs: &HashMap<i64, String>) -> Record {
    let id = client::text(deal.get("id"));
    let name = client::text(deal.get("title"));
    if id.is_empty() {
        return Record::Unreadable {
            id,
            name,
            message: "Pipedrive sent a deal without an id.".into(),
        };
    }
    let status = deal.get("status").and_then(Value::as_str).unwrap_or("open");
    let outcome = match status {
        "won" => Some(DealStage::Won),
        "lost" => Some(DealStage::Lost),
        _ => None,
    };
    let field = conn.settings.partner_field.trim();
    let partners = if field.is_empty() {
        Vec::new()
    } else {
        partners_in(
            deal.pointer(&format!("/custom_fields/{field}"))
                .or(deal.get(field)),
        )
    };
    Record::Deal(CrmDeal {
        account: deal
            .get("org_id")
            .and_then(Value::as_i64)
            .and_then(|org| orgs.get(&org).cloned())
            .unwrap_or_default(),
        amount: client::text(deal.get("value")),
        currency: client::text(deal.get("currency")),
        stage: client::text(deal.get("stage_id")),
        outcome,
        created_at: client::time(deal.get("add_time")),
        closed_at: client::time(deal.get("won_time"))
            .filter(|_| status == "won")
            .or_else(|| client::time(deal.get("lost_time")).filter(|_| status == "lost"))
            .or_else(|| client::time(deal.get("close_time"))),
        expected_close_on: client::date(deal.get("expected_close_date")),
        modified_at: client::time(deal.get("update_time")),
        partners,
        lost_reason: client::text(deal.get("lost_reason")),
        id,
        name,
    })
}

pub async fn write_back(
    http: &Outbound,
    conn: &Connection,
    deal_id: &str,
    back: &WriteBack,
) -> Result<(), CrmError> {
    let fields = client::field_map(back, |text| json!(text));
    let request = http
        .patch(conn.url(&format!("/api/v2/deals/{deal_id}")))
        .header("x-api-token", &conn.token)
        .header("content-type", "application/json")
        .body(json!({ "custom_fields": fields }).to_string());
    client::send(http, CrmKind::Pipedrive, request)
        .await
        .map(|_| ())
}

/// Pipedrive signs nothing: a webhook carries the basic-auth user and password it was created
/// with, and the password must be the connection's webhook secret.
pub fn verify_webhook(secret: &str, authorization: &str) -> bool {
    use base64::Engine;
    let Some(encoded) = authorization.trim().strip_prefix("Basic ") else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return false;
    };
    let password = text.split_once(':').map_or("", |(_, p)| p);
    same(password.as_bytes(), secret.as_bytes())
}

/// Equal, compared in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deals_with_their_status_organization_and_partner_field() {
        let mut settings = CrmKind::Pipedrive.default_settings();
        settings.partner_field = "abc123".into();
        let conn = Connection {
            kind: CrmKind::Pipedrive,
            base_url: "http://crm".into(),
            token: "t".into(),
            sign_in_secret: None,
            settings,
        };
        let deal: Value = serde_json::from_str(
            r#"{"id": 7, "title": "Initech", "value": 9000.5, "currency": "EUR",
                "status": "won", "stage_id": 3, "org_id": 40,
                "add_time": "2026-02-01T09:00:00Z", "update_time": "2026-03-02T09:00:00Z",
                "won_time": "2026-03-01T09:00:00Z", "custom_fields": {"abc123": "Apex; Northstar"}}"#,
        )
        .unwrap();
        let orgs = HashMap::from([(40, "Initech Ltd".to_owned())]);
        let Record::Deal(read) = record(&conn, &deal, &orgs) else {
            panic!()
        };
        assert_eq!(read.account, "Initech Ltd");
        assert_eq!(read.amount, "9000.5");
        assert_eq!(read.outcome, Some(DealStage::Won));
        assert_eq!(
            read.closed_at.unwrap().to_rfc3339(),
            "2026-03-01T09:00:00+00:00"
        );
        assert_eq!(read.partners.len(), 2);
    }

    #[test]
    fn webhooks_carry_the_secret_as_basic_auth() {
        use base64::Engine;
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("pipedrive:s3cret")
        );
        assert!(verify_webhook("s3cret", &header));
        assert!(!verify_webhook("other", &header));
        assert!(!verify_webhook("s3cret", "Bearer s3cret"));
    }
}
