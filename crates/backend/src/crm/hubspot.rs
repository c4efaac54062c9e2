//! HubSpot CRM v3: deals read page by page (`GET /crm/v3/objects/deals`, or the search endpoint
//! filtered on `hs_lastmodifieddate` for an incremental sync), each page's companies (the deals'
//! accounts, and their partners when the connection names a partner association label) in two
//! batch requests (associations v4, then company names), then the archived (deleted) deals;
//! written back with `PATCH /crm/v3/objects/deals/{id}`, and webhooks checked with signature v3.

use crate::outbound::Outbound;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::client::{self, Connection, CrmError, Page, Record};
use domain::crm::{CrmDeal, CrmKind, CrmPartner, WriteBack, partner_names};

/// Deals per page (HubSpot's largest).
const LIMIT: u32 = 100;

fn properties(conn: &Connection) -> Vec<String> {
    let mut names: Vec<String> = [
        "dealname",
        "amount",
        "dealstage",
        "closedate",
        "createdate",
        "hs_lastmodifieddate",
        "closed_lost_reason",
    ]
    .map(str::to_owned)
    .to_vec();
    for field in [&conn.settings.partner_field, &conn.settings.currency_field] {
        if !field.trim().is_empty() && !names.contains(field) {
            names.push(field.trim().to_owned());
        }
    }
    names
}

/// The search API answers at most 10,000 results a query; a page past that is refused.
const SEARCH_CAP: u64 = 10_000;
/// A cursor that starts the search again from a modification time (milliseconds).
const RESTART: &str = "since:";

/// A cursor in the second phase of a sync: the archived (deleted) deals, from `after`.
const ARCHIVED: &str = "archived:";

pub async fn fetch(
    http: &Outbound,
    conn: &Connection,
    cursor: Option<&str>,
    since: Option<DateTime<Utc>>,
) -> Result<Page, CrmError> {
    if let Some(after) = cursor.and_then(|c| c.strip_prefix(ARCHIVED)) {
        return archived(http, conn, Some(after).filter(|a| !a.is_empty()), since).await;
    }
    // A restart cursor is a fresh search from where the last one reached.
    let (cursor, since) = match cursor.and_then(|c| c.strip_prefix(RESTART)) {
        Some(ms) => (
            None,
            ms.parse()
                .ok()
                .and_then(DateTime::<Utc>::from_timestamp_millis)
                .or(since),
        ),
        None => (cursor, since),
    };
    let request = match since {
        None => {
            let mut query = vec![
                ("limit".to_owned(), LIMIT.to_string()),
                ("archived".to_owned(), "false".to_owned()),
                ("properties".to_owned(), properties(conn).join(",")),
            ];
            if let Some(after) = cursor {
                query.push(("after".to_owned(), after.to_owned()));
            }
            http.get(conn.url("/crm/v3/objects/deals")).query(&query)
        }
        Some(since) => {
            let mut body = json!({
                "filterGroups": [{ "filters": [{
                    "propertyName": "hs_lastmodifieddate",
                    "operator": "GTE",
                    "value": since.timestamp_millis().to_string(),
                }]}],
                "sorts": [{ "propertyName": "hs_lastmodifieddate", "direction": "ASCENDING" }],
                "properties": properties(conn),
                "limit": LIMIT,
            });
            if let Some(after) = cursor {
                body["after"] = json!(after);
            }
            http.post(conn.url("/crm/v3/objects/deals/search"))
                .header("content-type", "application/json")
                .body(body.to_string())
        }
    };
    let body = client::send(http, CrmKind::HubSpot, request.bearer_auth(&conn.token)).await?;
    let mut page = page(conn, &body);
    if let Some(since) = since {
        page.next = search_next(page.next.take(), newest(&page), since);
    }
    // The live deals read, the deleted ones follow.
    if page.next.is_none() {
        page.next = Some(ARCHIVED.to_owned());
    }
    let ids: Vec<&str> = page
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Deal(deal) => Some(deal.id.as_str()),
            Record::Deleted { .. } | Record::Unreadable { .. } => None,
        })
        .collect();
    let companies = companies(http, conn, &ids).await?;
    for record in &mut page.records {
        if let Record::Deal(deal) = record
            && let Some(found) = companies.get(&deal.id)
        {
            if let Some(account) = &found.account {
                deal.account = account.clone();
            }
            for partner in &found.partners {
                if !deal
                    .partners
                    .iter()
                    .any(|p| p.name.trim().eq_ignore_ascii_case(partner.name.trim()))
                {
                    deal.partners.push(partner.clone());
                }
            }
        }
    }
    Ok(page)
}

/// A page of archived (deleted) deals, those archived since `since` when given (the list
/// cannot be filtered by HubSpot, so older ones are passed over here).
async fn archived(
    http: &Outbound,
    conn: &Connection,
    after: Option<&str>,
    since: Option<DateTime<Utc>>,
) -> Result<Page, CrmError> {
    let mut query = vec![
        ("limit", LIMIT.to_string()),
        ("archived", "true".to_owned()),
        ("properties", "dealname".to_owned()),
    ];
    if let Some(after) = after {
        query.push(("after", after.to_owned()));
    }
    let request = http.get(conn.url("/crm/v3/objects/deals")).query(&query);
    let body = client::send(http, CrmKind::HubSpot, request.bearer_auth(&conn.token)).await?;
    Ok(archived_page(&body, since))
}

fn archived_page(body: &Value, since: Option<DateTime<Utc>>) -> Page {
    let records = body
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|deal| {
            since.is_none_or(|since| {
                client::time(deal.get("archivedAt")).is_none_or(|at| at >= since)
            })
        })
        .map(|deal| Record::Deleted {
            id: client::text(deal.get("id")),
            name: client::text(deal.pointer("/properties/dealname")),
        })
        .filter(|r| !matches!(r, Record::Deleted { id, .. } if id.is_empty()))
        .collect();
    let next = body
        .pointer("/paging/next/after")
        .map(|a| client::text(Some(a)))
        .filter(|a| !a.is_empty())
        .map(|a| format!("{ARCHIVED}{a}"));
    Page {
        records,
        next,
        total: None,
    }
}

/// The newest modification on a page.
fn newest(page: &Page) -> Option<DateTime<Utc>> {
    page.records
        .iter()
        .filter_map(|r| match r {
            Record::Deal(deal) => deal.modified_at,
            Record::Deleted { .. } | Record::Unreadable { .. } => None,
        })
        .max()
}

/// The search's next cursor; at the 10,000-result cap, a new search from the newest change
/// read (sorted by modification, so nothing is skipped; the few read twice change nothing).
/// When that time has not moved on, the cursor stays and HubSpot's refusal tells why.
fn search_next(
    next: Option<String>,
    newest: Option<DateTime<Utc>>,
    since: DateTime<Utc>,
) -> Option<String> {
    let next = next?;
    let capped = next.parse::<u64>().is_ok_and(|offset| offset >= SEARCH_CAP);
    match newest {
        Some(newest) if capped && newest > since => {
            Some(format!("{RESTART}{}", newest.timestamp_millis()))
        }
        _ => Some(next),
    }
}

/// HubSpot's id of the association "deal to company, primary".
const PRIMARY_COMPANY: i64 = 5;

/// A deal's company ids by role: the one it is with, and those labelled as its partners.
#[derive(Debug, Default, PartialEq, Eq)]
struct Links {
    account: Option<String>,
    partners: Vec<String>,
}

/// A deal's account name and partner companies.
struct DealCompanies {
    account: Option<String>,
    partners: Vec<CrmPartner>,
}

/// Each deal's account (its primary company, else its first) and partner companies (those
/// associated with the connection's partner label), by deal id, with the companies' names.
async fn companies(
    http: &Outbound,
    conn: &Connection,
    deals: &[&str],
) -> Result<HashMap<String, DealCompanies>, CrmError> {
    if deals.is_empty() {
        return Ok(HashMap::new());
    }
    let inputs: Vec<Value> = deals.iter().map(|id| json!({ "id": id })).collect();
    let answer = client::send(
        http,
        CrmKind::HubSpot,
        http.post(conn.url("/crm/v4/associations/deals/companies/batch/read"))
            .bearer_auth(&conn.token)
            .header("content-type", "application/json")
            .body(json!({ "inputs": inputs }).to_string()),
    )
    .await?;
    let links = links_of(&answer, &conn.settings.partner_association);
    let mut ids: Vec<&String> = links
        .values()
        .flat_map(|l| l.account.iter().chain(&l.partners))
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    ids.sort();
    ids.dedup();
    let inputs: Vec<Value> = ids.iter().map(|id| json!({ "id": id })).collect();
    let found = client::send(
        http,
        CrmKind::HubSpot,
        http.post(conn.url("/crm/v3/objects/companies/batch/read"))
            .bearer_auth(&conn.token)
            .header("content-type", "application/json")
            .body(json!({ "properties": ["name"], "inputs": inputs }).to_string()),
    )
    .await?;
    let names: HashMap<String, String> = found
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            (
                client::text(c.get("id")),
                client::text(c.pointer("/properties/name")),
            )
        })
        .filter(|(_, name)| !name.trim().is_empty())
        .collect();
    let named = |id: &String| {
        names.get(id).map(|name| CrmPartner {
            id: Some(id.clone()),
            name: name.clone(),
        })
    };
    Ok(links
        .into_iter()
        .map(|(deal, links)| {
            let found = DealCompanies {
                account: links.account.as_ref().and_then(named).map(|c| c.name),
                partners: links.partners.iter().filter_map(named).collect(),
            };
            (deal, found)
        })
        .collect())
}

/// Deal id → its companies' ids from an associations v4 batch answer. A company associated
/// with `partner_label` is a partner, never the account.
fn links_of(body: &Value, partner_label: &str) -> HashMap<String, Links> {
    let label = partner_label.trim();
    let mut out = HashMap::new();
    for row in body
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let deal = client::text(row.pointer("/from/id"));
        if deal.is_empty() {
            continue;
        }
        let has_type = |target: &Value, wanted: &dyn Fn(&Value) -> bool| {
            target
                .get("associationTypes")
                .and_then(Value::as_array)
                .is_some_and(|types| types.iter().any(wanted))
        };
        let is_partner = |target: &Value| {
            !label.is_empty()
                && has_type(target, &|k| {
                    k.get("label")
                        .and_then(Value::as_str)
                        .is_some_and(|l| l.trim().eq_ignore_ascii_case(label))
                })
        };
        let mut links = Links::default();
        let mut others = Vec::new();
        for target in row
            .get("to")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = client::text(target.get("toObjectId"));
            if id.is_empty() {
                continue;
            }
            if is_partner(target) {
                links.partners.push(id);
            } else if has_type(target, &|k| {
                k.get("typeId").and_then(Value::as_i64) == Some(PRIMARY_COMPANY)
            }) {
                links.account = Some(id);
            } else {
                others.push(id);
            }
        }
        links.account = links.account.or(others.into_iter().next());
        out.insert(deal, links);
    }
    out
}

fn page(conn: &Connection, body: &Value) -> Page {
    let records = body
        .get("results")
        .and_then(Value::as_array)
        .map(|results| results.iter().map(|r| record(conn, r)).collect())
        .unwrap_or_default();
    let next = body
        .pointer("/paging/next/after")
        .map(|a| client::text(Some(a)))
        .filter(|a| !a.is_empty());
    Page {
        records,
        next,
        total: body.get("total").and_then(Value::as_i64),
    }
}

fn record(conn: &Connection, result: &Value) -> Record {
    let id = client::text(result.get("id"));
    let props = result.get("properties").cloned().unwrap_or(Value::Null);
    let prop = |name: &str| props.get(name.trim());
    let name = client::text(prop("dealname"));
    if id.is_empty() {
        return Record::Unreadable {
            id,
            name,
            message: "HubSpot sent a deal without an id.".into(),
        };
    }
    let settings = &conn.settings;
    Record::Deal(CrmDeal {
        amount: client::text(prop("amount")),
        currency: if settings.currency_field.trim().is_empty() {
            String::new()
        } else {
            client::text(prop(&settings.currency_field))
        },
        stage: client::text(prop("dealstage")),
        outcome: None,
        created_at: client::time(prop("createdate")),
        closed_at: client::time(prop("closedate")),
        expected_close_on: client::date(prop("closedate")),
        modified_at: client::time(prop("hs_lastmodifieddate"))
            .or_else(|| client::time(result.get("updatedAt"))),
        partners: if settings.partner_field.trim().is_empty() {
            Vec::new()
        } else {
            partner_names(&client::text(prop(&settings.partner_field)))
        },
        lost_reason: client::text(prop("closed_lost_reason")),
        account: String::new(),
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
    let properties = client::field_map(back, |text| json!(text));
    let request = http
        .patch(conn.url(&format!("/crm/v3/objects/deals/{deal_id}")))
        .bearer_auth(&conn.token)
        .header("content-type", "application/json")
        .body(json!({ "properties": properties }).to_string());
    client::send(http, CrmKind::HubSpot, request)
        .await
        .map(|_| ())
}

/// How old a webhook request may be (HubSpot's own limit).
const MAX_AGE_MS: i64 = 5 * 60 * 1000;

/// Signature v3: base64 HMAC-SHA256, keyed with the app's client secret, of method, full URI,
/// body and the `X-HubSpot-Request-Timestamp` value; refused when older than five minutes.
pub fn verify_webhook(
    secret: &str,
    method: &str,
    uri: &str,
    body: &[u8],
    timestamp: &str,
    signature: &str,
    now: DateTime<Utc>,
) -> bool {
    use base64::Engine;
    let Ok(sent_ms) = timestamp.trim().parse::<i64>() else {
        return false;
    };
    if (now.timestamp_millis() - sent_ms).abs() > MAX_AGE_MS {
        return false;
    }
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(method.as_bytes());
    mac.update(uri.as_bytes());
    mac.update(body);
    mac.update(timestamp.trim().as_bytes());
    mac.verify_slice(&expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::crm::CrmKind;

    fn conn() -> Connection {
        Connection {
            kind: CrmKind::HubSpot,
            base_url: "http://crm".into(),
            token: "t".into(),
            sign_in_secret: None,
            settings: CrmKind::HubSpot.default_settings(),
        }
    }

    #[test]
    fn a_page_of_deals_with_its_cursor() {
        let body: Value = serde_json::from_str(
            r#"{"results": [
                {"id": "11", "properties": {"dealname": "Globex", "amount": "1200.50",
                 "dealstage": "closedwon", "closedate": "2026-04-15T12:00:00Z",
                 "createdate": "2026-03-01T10:00:00Z", "hs_lastmodifieddate": "2026-04-16T08:00:00Z",
                 "deal_currency_code": "EUR", "partner_name": "Apex;Northstar"}},
                {"properties": {"dealname": "No id"}}
            ], "paging": {"next": {"after": "NTI1Cg%3D%3D", "link": "x"}}}"#,
        )
        .unwrap();
        let page = page(&conn(), &body);
        assert_eq!(page.next.as_deref(), Some("NTI1Cg%3D%3D"));
        let Record::Deal(deal) = &page.records[0] else {
            panic!("{:?}", page.records[0]);
        };
        assert_eq!(
            (
                deal.amount.as_str(),
                deal.currency.as_str(),
                deal.partners.len()
            ),
            ("1200.50", "EUR", 2)
        );
        assert_eq!(
            deal.modified_at.unwrap().to_rfc3339(),
            "2026-04-16T08:00:00+00:00"
        );
        assert!(matches!(page.records[1], Record::Unreadable { .. }));
    }

    #[test]
    fn the_primary_company_is_the_account_and_labelled_ones_are_partners() {
        let body: Value = serde_json::from_str(
            r#"{"status": "COMPLETE", "results": [
                {"from": {"id": "11"}, "to": [
                    {"toObjectId": 700, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 341, "label": null}]},
                    {"toObjectId": 703, "associationTypes": [{"category": "USER_DEFINED", "typeId": 12, "label": "Referral partner"}]},
                    {"toObjectId": 701, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"}]}]},
                {"from": {"id": "12"}, "to": [{"toObjectId": 702, "associationTypes": []}]},
                {"from": {"id": "13"}, "to": []}
            ]}"#,
        )
        .unwrap();
        let links = links_of(&body, " referral PARTNER ");
        let link = |account: &str, partners: &[&str]| Links {
            account: Some(account.to_owned()),
            partners: partners.iter().map(|p| (*p).to_owned()).collect(),
        };
        assert_eq!(links["11"], link("701", &["703"]));
        assert_eq!(links["12"], link("702", &[]));
        assert_eq!(links["13"], Links::default());
        let without_label = links_of(&body, "");
        assert_eq!(
            without_label["11"],
            link("701", &[]),
            "no label: no partner"
        );
    }

    #[test]
    fn a_search_at_its_cap_starts_again_from_the_newest_change() {
        let since: DateTime<Utc> = "2026-04-01T00:00:00Z".parse().unwrap();
        let newest: DateTime<Utc> = "2026-04-20T08:00:00Z".parse().unwrap();
        let next = |after: &str, newest| search_next(Some(after.to_owned()), newest, since);
        assert_eq!(next("9900", Some(newest)).as_deref(), Some("9900"));
        assert_eq!(
            next("10000", Some(newest)),
            Some(format!("since:{}", newest.timestamp_millis()))
        );
        assert_eq!(
            next("10000", Some(since)).as_deref(),
            Some("10000"),
            "no progress: no endless restart"
        );
        assert_eq!(search_next(None, Some(newest), since), None);
    }

    #[test]
    fn archived_deals_since_the_last_sync_are_deleted_ones() {
        let body: Value = serde_json::from_str(
            r#"{"results": [
                {"id": "21", "properties": {"dealname": "Old"}, "archived": true, "archivedAt": "2026-01-01T00:00:00Z"},
                {"id": "22", "properties": {"dealname": "New"}, "archived": true, "archivedAt": "2026-06-01T00:00:00Z"}
            ], "paging": {"next": {"after": "22"}}}"#,
        )
        .unwrap();
        let since = "2026-04-01T00:00:00Z".parse().unwrap();
        let page = archived_page(&body, Some(since));
        assert_eq!(
            page.records,
            [Record::Deleted {
                id: "22".into(),
                name: "New".into()
            }]
        );
        assert_eq!(page.next.as_deref(), Some("archived:22"));
        assert_eq!(
            archived_page(&body, None).records.len(),
            2,
            "a backfill: all"
        );
    }

    #[test]
    fn webhook_signatures_v3() {
        use base64::Engine;
        let now: DateTime<Utc> = "2026-11-27T10:00:00Z".parse().unwrap();
        let ts = now.timestamp_millis().to_string();
        let body = br#"[{"objectId":11,"subscriptionType":"deal.propertyChange"}]"#;
        let uri = "https://pa.example/hooks/crm/1";
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(format!("POST{uri}").as_bytes());
        mac.update(body);
        mac.update(ts.as_bytes());
        let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        assert!(verify_webhook("secret", "POST", uri, body, &ts, &sig, now));
        assert!(!verify_webhook("other", "POST", uri, body, &ts, &sig, now));
        assert!(!verify_webhook(
            "secret", "POST", uri, b"[]", &ts, &sig, now
        ));
        let later = now + chrono::Duration::minutes(6);
        assert!(!verify_webhook(
            "secret", "POST", uri, body, &ts, &sig, later
        ));
    }
}
