//! Salesforce REST API: opportunities read with a SOQL query (`GET /services/data/vXX/queryAll`,
//! which includes the recycle bin's, so deletions reach the app; filtered on `LastModifiedDate`
//! for an incremental sync, then `nextRecordsUrl` page by page),
//! partners from the OpportunityPartner related list or a custom field, and write-back with
//! `PATCH /services/data/vXX/sobjects/Opportunity/{id}`; with a consumer key, each sync signs in
//! by the OAuth 2.0 client credentials flow. Salesforce sends no plain webhooks
//! (outbound messages are SOAP); scheduled incremental syncs pick its changes up.

use crate::outbound::Outbound;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::client::{self, Connection, CrmError, Page, Record};
use domain::crm::{CrmDeal, CrmKind, CrmPartner, OPPORTUNITY_PARTNER, WriteBack, partner_names};
use domain::deal::DealStage;

pub const API_VERSION: &str = "v60.0";

/// The query for opportunities changed since `since` (all of them without), oldest change first.
pub fn soql(conn: &Connection, since: Option<DateTime<Utc>>) -> String {
    let settings = &conn.settings;
    let mut fields = vec![
        "Id",
        "Name",
        "Amount",
        "StageName",
        "IsClosed",
        "IsWon",
        "IsDeleted",
        "CloseDate",
        "CreatedDate",
        "LastModifiedDate",
        "Account.Name",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    let currency = settings.currency_field.trim();
    if !currency.is_empty() {
        fields.push(currency.to_owned());
    }
    match settings.partner_field.trim() {
        "" => {}
        OPPORTUNITY_PARTNER => fields
            .push("(SELECT AccountToId, AccountTo.Name FROM OpportunityPartnersFrom)".to_owned()),
        field => fields.push(field.to_owned()),
    }
    let filter = since
        .map(|t| {
            format!(
                " WHERE LastModifiedDate >= {}",
                t.to_rfc3339_opts(SecondsFormat::Secs, true)
            )
        })
        .unwrap_or_default();
    format!(
        "SELECT {} FROM Opportunity{filter} ORDER BY LastModifiedDate ASC, Id ASC",
        fields.join(", ")
    )
}

/// OAuth 2.0 client credentials flow: the connected app's consumer key and secret buy an access
/// token from the org's own address (its My Domain, the connection's API address).
pub async fn sign_in(http: &Outbound, conn: &Connection, secret: &str) -> Result<String, CrmError> {
    let request = http.post(conn.url("/services/oauth2/token")).form(&[
        ("grant_type", "client_credentials"),
        ("client_id", conn.settings.client_id.trim()),
        ("client_secret", secret),
    ]);
    let refused = |m: String| {
        CrmError::Refused(format!(
            "Signing in with the consumer key and secret failed: {m}"
        ))
    };
    let body = client::send(http, CrmKind::Salesforce, request)
        .await
        .map_err(|err| match err {
            CrmError::Refused(m) | CrmError::Unauthorized(m) => refused(m),
            other => other,
        })?;
    let token = client::text(body.get("access_token"));
    if token.is_empty() {
        return Err(refused(
            "Salesforce answered without an access token.".into(),
        ));
    }
    Ok(token)
}

pub async fn fetch(
    http: &Outbound,
    conn: &Connection,
    cursor: Option<&str>,
    since: Option<DateTime<Utc>>,
) -> Result<Page, CrmError> {
    let request = match cursor {
        // Only a path of this API: the cursor is what Salesforce sent, but stored in our database.
        Some(next) if next.starts_with("/services/data/") => http.get(conn.url(next)),
        Some(next) => {
            return Err(CrmError::Refused(format!(
                "\"{next}\" is not a Salesforce query page; start a new sync."
            )));
        }
        None => http
            .get(conn.url(&format!("/services/data/{API_VERSION}/queryAll")))
            .query(&[("q", soql(conn, since))]),
    };
    let body = client::send(http, CrmKind::Salesforce, request.bearer_auth(&conn.token)).await?;
    Ok(page(conn, &body))
}

fn page(conn: &Connection, body: &Value) -> Page {
    let done = body.get("done").and_then(Value::as_bool).unwrap_or(true);
    Page {
        records: body
            .get("records")
            .and_then(Value::as_array)
            .map(|records| records.iter().map(|r| record(conn, r)).collect())
            .unwrap_or_default(),
        next: body
            .get("nextRecordsUrl")
            .map(|n| client::text(Some(n)))
            .filter(|n| !done && !n.is_empty()),
        total: body.get("totalSize").and_then(Value::as_i64),
    }
}

/// A field by its SOQL path (`Partner__r.Name`).
fn at<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(record, |value, part| value.get(part))
}

fn record(conn: &Connection, opp: &Value) -> Record {
    let id = client::text(opp.get("Id"));
    let name = client::text(opp.get("Name"));
    if id.is_empty() {
        return Record::Unreadable {
            id,
            name,
            message: "Salesforce sent an opportunity without an Id.".into(),
        };
    }
    let settings = &conn.settings;
    let flag = |field: &str| opp.get(field).and_then(Value::as_bool).unwrap_or(false);
    if flag("IsDeleted") {
        return Record::Deleted { id, name };
    }
    let outcome = match (flag("IsClosed"), flag("IsWon")) {
        (_, true) => Some(DealStage::Won),
        (true, false) => Some(DealStage::Lost),
        _ => None,
    };
    let partners = match settings.partner_field.trim() {
        "" => Vec::new(),
        OPPORTUNITY_PARTNER => opp
            .pointer("/OpportunityPartnersFrom/records")
            .and_then(Value::as_array)
            .map(|rows| {
                rows.iter()
                    .map(|row| CrmPartner {
                        id: Some(client::text(row.get("AccountToId"))).filter(|i| !i.is_empty()),
                        name: client::text(at(row, "AccountTo.Name")),
                    })
                    .filter(|p| !p.name.trim().is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        field => partner_names(&client::text(at(opp, field))),
    };
    let close = client::date(opp.get("CloseDate"));
    Record::Deal(CrmDeal {
        account: client::text(at(opp, "Account.Name")),
        amount: client::text(opp.get("Amount")),
        currency: match settings.currency_field.trim() {
            "" => String::new(),
            field => client::text(at(opp, field)),
        },
        stage: client::text(opp.get("StageName")),
        outcome,
        created_at: client::time(opp.get("CreatedDate")),
        closed_at: close.map(domain::crm::start_of),
        expected_close_on: close,
        modified_at: client::time(opp.get("LastModifiedDate")),
        partners,
        lost_reason: String::new(),
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
    // Checkbox fields take JSON booleans.
    let fields = client::field_map(back, |text| match text {
        "true" => json!(true),
        "false" => json!(false),
        text => json!(text),
    });
    let request = http
        .patch(conn.url(&format!(
            "/services/data/{API_VERSION}/sobjects/Opportunity/{deal_id}"
        )))
        .bearer_auth(&conn.token)
        .header("content-type", "application/json")
        .body(Value::Object(fields).to_string());
    client::send(http, CrmKind::Salesforce, request)
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        Connection {
            kind: CrmKind::Salesforce,
            base_url: "http://crm".into(),
            token: "t".into(),
            sign_in_secret: None,
            settings: CrmKind::Salesforce.default_settings(),
        }
    }

    #[test]
    fn the_query_names_the_partner_list_and_the_watermark() {
        let since = "2026-04-01T00:00:00Z".parse().unwrap();
        let q = soql(&conn(), Some(since));
        assert!(q.contains("(SELECT AccountToId, AccountTo.Name FROM OpportunityPartnersFrom)"));
        assert!(q.ends_with(
            "FROM Opportunity WHERE LastModifiedDate >= 2026-04-01T00:00:00Z ORDER BY LastModifiedDate ASC, Id ASC"
        ));
        let mut custom = conn();
        custom.settings.partner_field = "Partner__r.Name".into();
        assert!(soql(&custom, None).contains(", Partner__r.Name FROM Opportunity ORDER BY"));
    }

    #[test]
    fn opportunities_with_their_outcome_account_and_partners() {
        let body: Value = serde_json::from_str(
            r#"{"totalSize": 3, "done": false, "nextRecordsUrl": "/services/data/v60.0/query/01g-2",
                "records": [{"attributes": {"type": "Opportunity"}, "Id": "006A", "Name": "Umbrella",
                  "Amount": 25000.0, "StageName": "Closed Won", "IsClosed": true, "IsWon": true,
                  "CloseDate": "2026-05-02", "CreatedDate": "2026-04-01T08:00:00.000+0000",
                  "LastModifiedDate": "2026-05-03T08:00:00.000+0000",
                  "Account": {"attributes": {}, "Name": "Umbrella Corp"},
                  "OpportunityPartnersFrom": {"totalSize": 1, "done": true, "records": [
                    {"AccountToId": "001P", "AccountTo": {"Name": "Apex Cloud"}}]}}]}"#,
        )
        .unwrap();
        let page = page(&conn(), &body);
        assert_eq!(
            page.next.as_deref(),
            Some("/services/data/v60.0/query/01g-2")
        );
        assert_eq!(page.total, Some(3));
        let Record::Deal(deal) = &page.records[0] else {
            panic!()
        };
        assert_eq!(deal.outcome, Some(DealStage::Won));
        assert_eq!(deal.account, "Umbrella Corp");
        assert_eq!(deal.amount, "25000.0");
        assert_eq!(deal.partners[0].id.as_deref(), Some("001P"));
        assert_eq!(
            deal.closed_at.unwrap().to_rfc3339(),
            "2026-05-02T00:00:00+00:00"
        );
    }
}
