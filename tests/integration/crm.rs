//! CRM connectors against fake HubSpot, Salesforce and Pipedrive servers on loopback, serving the
//! fixtures in `tests/fixtures/crm` in each CRM's documented format: settings with sealed
//! credentials, backfill across pages, a rate limit (429 + Retry-After) and a failing CRM
//! survived, per-record errors in the sync log, deals and touches written through the app's
//! services (won deals attributed, closed at the CRM's date), nothing duplicated by a second
//! sync, incremental syncs by modified-since, write-back of the result, inbound webhooks checked
//! by signature, a refused token reported, and who may do what.

use crate::common;
use partner_attribution::domain::job::JobKind;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use backend::demo;
use backend::entities::{
    attributions, audit_events, crm_connections, crm_syncs, deals, partners, touchpoints,
};
use backend::repo;
use base64::Engine;
use chrono::Utc;
use hmac::{Hmac, Mac};
use partner_attribution::api::AppError;
use partner_attribution::api::crm::{ConnectionView, SyncDetail};
use partner_attribution::domain::crm::SyncStatus;
use partner_attribution::domain::deal::DealStage;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use sha2::Sha256;

const ADMIN: &str = "admin@northwind.example";
const MANAGER: &str = "manager@northwind.example";
const TOKEN: &str = "pat-na1-11111111-2222";

/// A request the fake CRM received.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    uri: String,
    authorization: String,
    body: String,
}

/// An answer given once, to the first request whose URI contains `when`, before the fixtures.
struct Scripted {
    when: &'static str,
    status: StatusCode,
    retry_after: Option<u64>,
    body: &'static str,
}

/// A CRM on loopback: fixtures by route, a log of requests, scripted failures.
#[derive(Clone)]
struct FakeCrm {
    seen: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Mutex<VecDeque<Scripted>>>,
    /// Placeholder → value in the fixtures.
    names: Arc<Vec<(String, String)>>,
    route: fn(&Method, &Uri) -> Option<&'static str>,
    authorized: fn(&HeaderMap) -> bool,
    refusal: &'static str,
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/crm/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

async fn answer(
    State(fake): State<FakeCrm>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    fake.seen.lock().unwrap().push(Seen {
        method: method.clone(),
        uri: uri.to_string(),
        authorization: format!("{}{}", text("authorization"), text("x-api-token")),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    if uri.path() == "/services/oauth2/token" {
        return salesforce_token(&String::from_utf8_lossy(&body));
    }
    if !(fake.authorized)(&headers) {
        return (StatusCode::UNAUTHORIZED, fake.refusal).into_response();
    }
    let scripted = {
        let mut script = fake.script.lock().unwrap();
        let at = script.iter().position(|s| uri.to_string().contains(s.when));
        at.and_then(|i| script.remove(i))
    };
    if let Some(s) = scripted {
        let mut response = (s.status, s.body).into_response();
        if let Some(wait) = s.retry_after {
            response
                .headers_mut()
                .insert("retry-after", wait.to_string().parse().unwrap());
        }
        return response;
    }
    if method == Method::PATCH {
        return (StatusCode::OK, r#"{"id": "ok"}"#).into_response();
    }
    match (fake.route)(&method, &uri) {
        Some(path) => {
            let mut body = fixture(path);
            for (from, to) in fake.names.iter() {
                body = body.replace(from, to);
            }
            (StatusCode::OK, [("content-type", "application/json")], body).into_response()
        }
        None => (StatusCode::NOT_FOUND, r#"{"message": "no such route"}"#).into_response(),
    }
}

impl FakeCrm {
    async fn start(
        route: fn(&Method, &Uri) -> Option<&'static str>,
        authorized: fn(&HeaderMap) -> bool,
        refusal: &'static str,
        names: Vec<(String, String)>,
        script: Vec<Scripted>,
    ) -> (FakeCrm, String) {
        let fake = FakeCrm {
            seen: Arc::default(),
            script: Arc::new(Mutex::new(script.into())),
            names: Arc::new(names),
            route,
            authorized,
            refusal,
        };
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (fake, url)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn bearer(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

fn hubspot_routes(method: &Method, uri: &Uri) -> Option<&'static str> {
    let query = uri.query().unwrap_or("");
    match (method.as_str(), uri.path()) {
        ("GET", "/crm/v3/objects/deals") if query.contains("archived=true") => {
            Some("hubspot/archived.json")
        }
        ("GET", "/crm/v3/objects/deals") if query.contains("after=") => {
            Some("hubspot/deals-2.json")
        }
        ("GET", "/crm/v3/objects/deals") => Some("hubspot/deals-1.json"),
        ("POST", "/crm/v3/objects/deals/search") => Some("hubspot/search-1.json"),
        ("POST", "/crm/v4/associations/deals/companies/batch/read") => {
            Some("hubspot/deal-companies.json")
        }
        ("POST", "/crm/v3/objects/companies/batch/read") => Some("hubspot/companies.json"),
        _ => None,
    }
}

fn salesforce_routes(method: &Method, uri: &Uri) -> Option<&'static str> {
    match (method.as_str(), uri.path()) {
        ("GET", "/services/data/v60.0/queryAll") => Some("salesforce/query-1.json"),
        ("GET", p) if p.starts_with("/services/data/v60.0/query/") => {
            Some("salesforce/query-2.json")
        }
        _ => None,
    }
}

/// Salesforce's token endpoint, client credentials flow: the test's access token for the test's
/// consumer key and secret.
fn salesforce_token(form: &str) -> Response {
    let expected = [
        "grant_type=client_credentials",
        "client_id=3MVG9.consumer-key",
        "client_secret=sf-consumer-secret",
    ];
    if expected
        .iter()
        .all(|pair| form.split('&').any(|p| p == *pair))
    {
        let token = json!({
            "access_token": TOKEN, "instance_url": "https://example.my.salesforce.com",
            "id": "https://login.salesforce.com/id/00D/005", "token_type": "Bearer",
            "issued_at": "1732700000000", "signature": "c2ln",
        });
        return (StatusCode::OK, token.to_string()).into_response();
    }
    let refused =
        r#"{"error": "invalid_client", "error_description": "invalid client credentials"}"#;
    (StatusCode::BAD_REQUEST, refused).into_response()
}

fn pipedrive_routes(method: &Method, uri: &Uri) -> Option<&'static str> {
    let query = uri.query().unwrap_or("");
    match (method.as_str(), uri.path()) {
        ("GET", "/api/v2/deals") if query.contains("status=deleted") => {
            Some("pipedrive/deleted.json")
        }
        ("GET", "/api/v2/deals") if query.contains("cursor=") => Some("pipedrive/deals-2.json"),
        ("GET", "/api/v2/deals") => Some("pipedrive/deals-1.json"),
        ("GET", "/api/v2/organizations") => Some("pipedrive/organizations.json"),
        _ => None,
    }
}

fn pipedrive_token(headers: &HeaderMap) -> bool {
    headers.get("x-api-token").and_then(|v| v.to_str().ok()) == Some(TOKEN)
}

/// Two active partners of the demo organization, by name.
async fn two_partners(db: &sea_orm::DatabaseConnection) -> (partners::Model, partners::Model) {
    let mut active = partners::Entity::find()
        .filter(partners::Column::Status.eq("active"))
        .order_by_asc(partners::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter();
    (active.next().unwrap(), active.next().unwrap())
}

async fn spawn_app(test_db: &common::TestDb) -> common::TestApp {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(43, 6, Utc::now()))
        .await
        .unwrap();
    common::TestApp::spawn_with(db, |config| {
        config.crm.allow_private_targets = true;
        config.crm.retry_ms = 10;
        config.crm.sync_minutes = 0;
    })
    .await
}

async fn save(
    app: &common::TestApp,
    client: &reqwest::Client,
    kind: &str,
    form: Value,
) -> reqwest::Response {
    client
        .post(app.url("/api/crm/save"))
        .json(&json!({ "kind": kind, "form": form }))
        .send()
        .await
        .unwrap()
}

fn form(base_url: &str, token: &str, extra: Value) -> Value {
    let mut form = json!({
        "base_url": base_url, "token": token, "webhook_secret": "", "enabled": true,
        "partner_field": "", "currency_field": "", "default_currency": "USD",
        "stage_rules": "", "touch_kind": "referral", "attribution_field": "", "sourced_field": "",
    });
    for (key, value) in extra.as_object().unwrap() {
        form[key] = value.clone();
    }
    form
}

async fn start_sync(
    app: &common::TestApp,
    client: &reqwest::Client,
    kind: &str,
    mode: &str,
) -> i64 {
    let response = app
        .call(client, "/api/crm/sync", &[("kind", kind), ("mode", mode)])
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

/// Runs the worker until the sync finishes (waiting out rate limits).
async fn run_to_end(app: &common::TestApp, client: &reqwest::Client, id: i64) -> SyncDetail {
    for _ in 0..100 {
        while backend::jobs::run_next(&app.backend, JobKind::CrmSync)
            .await
            .expect("worker")
        {}
        let detail = sync_detail(app, client, id).await;
        if detail.sync.status.is_finished() {
            return detail;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("sync {id} did not finish");
}

async fn connection_view(
    app: &common::TestApp,
    client: &reqwest::Client,
    kind: &str,
) -> ConnectionView {
    let response = app.call(client, "/api/crm/get", &[("kind", kind)]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn sync_detail(app: &common::TestApp, client: &reqwest::Client, id: i64) -> SyncDetail {
    let response = app
        .call(client, "/api/crm/sync-detail", &[("id", &id.to_string())])
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn deal(db: &sea_orm::DatabaseConnection, source: &str, id: &str) -> deals::Model {
    deals::Entity::find()
        .filter(deals::Column::Source.eq(source))
        .filter(deals::Column::ExternalId.eq(id))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("deal {source}:{id}"))
}

async fn touches_of(db: &sea_orm::DatabaseConnection, deal: i64) -> Vec<touchpoints::Model> {
    touchpoints::Entity::find()
        .filter(touchpoints::Column::DealId.eq(deal))
        .order_by_asc(touchpoints::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// A demo touch added in the app, as a manager would on the deal's page.
async fn add_demo_touch(
    app: &common::TestApp,
    client: &reqwest::Client,
    deal: i64,
    partner: i64,
    day: &str,
) {
    let added = app
        .call(
            client,
            "/api/deals/touchpoints/add",
            &[
                ("deal_id", &deal.to_string()),
                ("form[partner_id]", &partner.to_string()),
                ("form[kind]", "demo"),
                ("form[occurred_on]", day),
            ],
        )
        .await;
    assert_eq!(added.status(), 200, "{}", added.text().await.unwrap());
}

fn hubspot_signature(secret: &str, uri: &str, body: &str, timestamp: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("POST{uri}{body}{timestamp}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

async fn hubspot_flow(test_db: common::TestDb) {
    let app = spawn_app(&test_db).await;
    let (a, b) = two_partners(&app.db).await;
    let names = vec![
        ("{{A}}".into(), a.name.clone()),
        ("{{B}}".into(), b.name.clone()),
    ];
    // Page 2 is rate-limited once; the search fails once with a 502 (retried).
    let (fake, url) = FakeCrm::start(
        hubspot_routes,
        bearer,
        r#"{"status": "error", "message": "Authentication credentials not found.", "category": "INVALID_AUTHENTICATION"}"#,
        names,
        vec![
            Scripted {
                when: "after=",
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after: Some(1),
                body: r#"{"status": "error", "message": "You have reached your secondly limit.", "errorType": "RATE_LIMIT"}"#,
            },
            Scripted {
                when: "/search",
                status: StatusCode::BAD_GATEWAY,
                retry_after: None,
                body: "",
            },
        ],
    )
    .await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;

    // Bad settings come back field by field.
    let bad = save(
        &app,
        &admin,
        "hubspot",
        form(
            "ftp://nowhere",
            "",
            json!({ "stage_rules": "closedwon = maybe" }),
        ),
    )
    .await;
    assert_eq!(bad.status(), 422, "{}", bad.text().await.unwrap());
    let problem: AppError = serde_json::from_slice(&bad.bytes().await.unwrap()).unwrap();
    let AppError::Invalid { fields, .. } = &problem else {
        panic!("{problem:?}");
    };
    let fields: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["base_url", "token", "stage_rules"]);

    let settings = json!({
        "webhook_secret": "hs-client-secret",
        "partner_field": "partner_name", "partner_association": "Referral partner",
        "currency_field": "deal_currency_code",
        "stage_rules": "closedwon = won\nclosedlost = lost",
        "attribution_field": "partner_attribution", "sourced_field": "partner_sourced",
    });
    let saved = save(&app, &admin, "hubspot", form(&url, TOKEN, settings.clone())).await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());

    // The token is sealed at rest and never sent back.
    let row = crm_connections::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let sealed = row.credentials.clone().unwrap();
    assert!(!sealed.contains(TOKEN) && sealed.starts_with("v1:"));
    assert_eq!(app.backend.crm.vault.open(&sealed).unwrap(), TOKEN);
    let view = connection_view(&app, &admin, "hubspot").await;
    assert!(view.has_token && view.has_webhook_secret && view.form.token.is_empty());
    let hook_url = view.webhook_url.clone().expect("HubSpot takes webhooks");
    assert!(hook_url.ends_with(&format!("/hooks/crm/{}", row.id)));
    let audit = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("crm_connection.saved"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("saving is audited");
    assert!(!audit.after.clone().unwrap_or_default().contains(TOKEN));

    // Backfill: two pages, the second after a 429.
    let id = start_sync(&app, &admin, "hubspot", "backfill").await;
    let again = app
        .call(
            &admin,
            "/api/crm/sync",
            &[("kind", "hubspot"), ("mode", "backfill")],
        )
        .await;
    assert_eq!(again.status(), 409, "one sync at a time");
    let done = run_to_end(&app, &admin, id).await;
    assert_eq!(
        done.sync.status,
        SyncStatus::Done,
        "{:?}",
        done.sync.failure
    );
    let s = &done.sync;
    assert_eq!(
        (
            s.fetched,
            s.created,
            s.updated,
            s.unchanged,
            s.failed,
            s.written_back
        ),
        (6, 3, 0, 1, 2, 1),
        "{done:?}: five live deals, one deleted long ago that the app never had"
    );
    let requests = fake.seen();
    let pages: Vec<&Seen> = requests
        .iter()
        .filter(|r| r.uri.starts_with("/crm/v3/objects/deals?") && !r.uri.contains("archived=true"))
        .collect();
    assert_eq!(
        pages.len(),
        3,
        "page 1, page 2 refused with 429, page 2 again"
    );
    assert!(
        requests.iter().any(|r| r.uri.contains("archived=true")),
        "then the deleted deals"
    );
    assert!(pages[0].uri.contains("properties=dealname%2Camount"));
    assert!(
        pages
            .iter()
            .all(|r| r.authorization == format!("Bearer {TOKEN}"))
    );

    // The sync log names each record that could not be taken, and why.
    let messages: Vec<(String, String)> = done
        .errors
        .iter()
        .map(|e| (e.external_id.clone(), e.message.clone()))
        .collect();
    assert_eq!(done.error_count, 3, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|(id, m)| id == "5103" && m.contains("Nobody Consulting"))
    );
    assert!(
        messages
            .iter()
            .any(|(id, m)| id == "5104" && m.contains("not an amount"))
    );
    assert!(
        messages
            .iter()
            .any(|(id, m)| id.is_empty() && m.contains("without an id"))
    );

    // The won deal: with its primary company, closed at HubSpot's date, both partners'
    // touches, attributed.
    let won = deal(&app.db, "hubspot", "5101").await;
    assert_eq!(won.stage, DealStage::Won);
    assert_eq!(won.account_name, "Globex Corporation");
    let links = fake
        .seen()
        .into_iter()
        .find(|r| r.uri.starts_with("/crm/v4/associations/deals/companies"))
        .expect("the page's companies were asked for");
    assert!(links.body.contains(r#"{"id":"5101"}"#) && links.body.contains(r#"{"id":"5102"}"#));
    assert_eq!(won.amount_minor, 4_800_050);
    assert_eq!(
        won.closed_at.unwrap().to_rfc3339(),
        "2026-04-15T12:00:00+00:00"
    );
    let touches = touches_of(&app.db, won.id).await;
    let touched: Vec<i64> = touches.iter().map(|t| t.partner_id).collect();
    assert_eq!(touched, [a.id, b.id]);
    assert_eq!(
        touches[0].external_id.as_deref(),
        Some(&*format!("hubspot:5101:{}", a.name.to_lowercase()))
    );
    let credited = attributions::Entity::find()
        .filter(attributions::Column::DealId.eq(won.id))
        .count(&app.db)
        .await
        .unwrap();
    assert!(credited >= 2, "the win was attributed");
    let won_audit = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("deal.won"))
        .filter(audit_events::Column::EntityId.eq(won.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the win is audited");
    assert_eq!(
        won_audit.actor_label, ADMIN,
        "as the admin who started the sync"
    );

    // Lost with HubSpot's reason; open with the connection's currency.
    let lost = deal(&app.db, "hubspot", "5103").await;
    assert_eq!(
        (
            lost.stage.0.as_str(),
            lost.lost_reason.as_deref(),
            lost.account_name.as_str()
        ),
        (
            "lost",
            Some("Chose an in-house build"),
            "Umbrella Corporation"
        )
    );
    let open = deal(&app.db, "hubspot", "5102").await;
    assert_eq!(
        (
            open.stage.0.as_str(),
            open.currency.0.code(),
            open.account_name.as_str()
        ),
        ("open", "USD", "Initech analytics pilot"),
        "no company but its partner: the deal's name"
    );
    // One partner by the deal property, one by a company associated with the partner label.
    let pilot_touches = touches_of(&app.db, open.id).await;
    let touched: Vec<(i64, Option<&str>)> = pilot_touches
        .iter()
        .map(|t| (t.partner_id, t.external_id.as_deref()))
        .collect();
    let by_name = format!("hubspot:5102:{}", a.name.to_lowercase());
    assert_eq!(
        touched,
        [(a.id, Some(&*by_name)), (b.id, Some("hubspot:5102:9004"))]
    );

    // Written back: the shares and the sourced flag, on the won deal only.
    let patches: Vec<Seen> = fake
        .seen()
        .into_iter()
        .filter(|r| r.method == Method::PATCH)
        .collect();
    assert_eq!(patches.len(), 1);
    assert_eq!(patches[0].uri, "/crm/v3/objects/deals/5101");
    let patch: Value = serde_json::from_str(&patches[0].body).unwrap();
    let shares = patch["properties"]["partner_attribution"].as_str().unwrap();
    assert!(
        shares.contains(&a.name) && shares.contains(&b.name) && shares.contains('%'),
        "{shares}"
    );
    assert_eq!(patch["properties"]["partner_sourced"], "true");

    // A second backfill finds every deal it made: nothing new, nothing changed.
    let deals_before = deals::Entity::find().count(&app.db).await.unwrap();
    let touches_before = touchpoints::Entity::find().count(&app.db).await.unwrap();
    let second = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "hubspot", "backfill").await,
    )
    .await;
    assert_eq!(
        (
            second.sync.created,
            second.sync.updated,
            second.sync.unchanged,
            second.sync.written_back
        ),
        (0, 0, 4, 0)
    );
    assert_eq!(
        deals::Entity::find().count(&app.db).await.unwrap(),
        deals_before
    );
    assert_eq!(
        touchpoints::Entity::find().count(&app.db).await.unwrap(),
        touches_before
    );

    // A touch added in the app to the pilot, which HubSpot does not know of.
    let c = partners::Entity::find()
        .filter(partners::Column::Status.eq("active"))
        .filter(partners::Column::Id.is_not_in([a.id, b.id]))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let pilot_before = deal(&app.db, "hubspot", "5102").await;
    add_demo_touch(&app, &admin, pilot_before.id, c.id, "2026-04-01").await;

    // Incremental: the search from the newest change seen; the pilot was won at a new amount,
    // and its partner property was cleared.
    let third = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "hubspot", "incremental").await,
    )
    .await;
    assert_eq!(
        third.sync.status,
        SyncStatus::Done,
        "{:?}",
        third.sync.failure
    );
    assert_eq!((third.sync.fetched, third.sync.updated), (1, 1));
    let search = fake
        .seen()
        .into_iter()
        .rfind(|r| r.uri.contains("/search"))
        .unwrap();
    let body: Value = serde_json::from_str(&search.body).unwrap();
    let filter = &body["filterGroups"][0]["filters"][0];
    assert_eq!(filter["propertyName"], "hs_lastmodifieddate");
    assert_eq!(filter["operator"], "GTE");
    let newest = chrono::DateTime::parse_from_rfc3339("2026-04-23T08:00:00Z").unwrap();
    assert_eq!(filter["value"], newest.timestamp_millis().to_string());
    let pilot = deal(&app.db, "hubspot", "5102").await;
    assert_eq!(
        (pilot.stage.0.as_str(), pilot.amount_minor),
        ("won", 1_500_000)
    );

    assert_eq!(third.sync.written_back, 1, "the pilot's new win");
    let kept: Vec<i64> = touches_of(&app.db, pilot.id)
        .await
        .iter()
        .map(|t| t.partner_id)
        .collect();
    assert_eq!(
        kept,
        [b.id, c.id],
        "the property's partner lost its touch; the association's and the app's stay"
    );

    // A touch added in the app changes the won deal's result: the next sync writes it back.
    add_demo_touch(&app, &admin, won.id, c.id, "2026-04-10").await;

    // Webhooks: a signed one queues a sync, a forged one is refused.
    let body =
        r#"[{"objectId":5102,"subscriptionType":"deal.propertyChange","propertyName":"amount"}]"#;
    let timestamp = Utc::now().timestamp_millis().to_string();
    let hook = |signature: String| {
        app.client
            .post(&hook_url)
            .header("x-hubspot-request-timestamp", &timestamp)
            .header("x-hubspot-signature-v3", signature)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let forged = hook(hubspot_signature(
        "not-the-secret",
        &hook_url,
        body,
        &timestamp,
    ))
    .await
    .unwrap();
    assert_eq!(forged.status(), 401);
    let signed = hook(hubspot_signature(
        "hs-client-secret",
        &hook_url,
        body,
        &timestamp,
    ))
    .await
    .unwrap();
    assert_eq!(signed.status(), 202);
    let view = connection_view(&app, &admin, "hubspot").await;
    let queued = &view.syncs[0];
    assert_eq!(
        (
            queued.mode.as_str(),
            queued.status,
            queued.started_by.as_deref()
        ),
        ("webhook", SyncStatus::Queued, None)
    );
    let hooked = run_to_end(&app, &admin, queued.id).await;
    assert_eq!(hooked.sync.status, SyncStatus::Done);
    assert_eq!(hooked.sync.written_back, 1);
    let last = fake
        .seen()
        .into_iter()
        .rfind(|r| r.method == Method::PATCH)
        .unwrap();
    assert_eq!(last.uri, "/crm/v3/objects/deals/5101");
    assert!(last.body.contains(&c.name), "{}", last.body);

    // Testing the saved connection: one read-only request.
    let before = fake.seen().len();
    let tested = app
        .call(&admin, "/api/crm/test", &[("kind", "hubspot")])
        .await;
    assert_eq!(tested.status(), 200, "{}", tested.text().await.unwrap());
    let probes = fake.seen().split_off(before);
    assert!(probes[0].uri.starts_with("/crm/v3/objects/deals/search"));
    assert!(
        probes.iter().all(|r| r.method == Method::POST),
        "reads only (search and batch reads), nothing written back: {probes:?}"
    );

    // A token HubSpot refuses fails the sync with HubSpot's own words.
    let mut wrong = form(&url, "pat-revoked", settings);
    wrong["webhook_secret"] = json!("");
    assert_eq!(save(&app, &admin, "hubspot", wrong).await.status(), 200);
    let refused = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "hubspot", "incremental").await,
    )
    .await;
    assert_eq!(refused.sync.status, SyncStatus::Failed);
    let failure = refused.sync.failure.unwrap();
    assert!(
        failure.contains("401") && failure.contains("Authentication credentials not found"),
        "{failure}"
    );
    let tested = app
        .call(&admin, "/api/crm/test", &[("kind", "hubspot")])
        .await;
    assert_eq!(tested.status(), 409);
    let said = tested.text().await.unwrap();
    assert!(
        said.contains("Authentication credentials not found"),
        "{said}"
    );

    // A partner manager follows the syncs but cannot change the connection or start one.
    let manager = app.signed_in(MANAGER, demo::DEMO_PASSWORD).await;
    assert_eq!(app.call(&manager, "/api/crm/list", &[]).await.status(), 200);
    assert_eq!(
        save(&app, &manager, "hubspot", form(&url, TOKEN, json!({})))
            .await
            .status(),
        403
    );
    assert_eq!(
        app.call(
            &manager,
            "/api/crm/sync",
            &[("kind", "hubspot"), ("mode", "backfill")]
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        app.call(&manager, "/api/crm/test", &[("kind", "hubspot")])
            .await
            .status(),
        403
    );
}

async fn salesforce_flow(test_db: common::TestDb) {
    let app = spawn_app(&test_db).await;
    let (a, b) = two_partners(&app.db).await;
    // The first partner is known by its Salesforce account id.
    let mut known: partners::ActiveModel = a.clone().into();
    known.external_id = Set(Some("001RO00000PA".into()));
    sea_orm::ActiveModelTrait::update(known, &app.db)
        .await
        .unwrap();
    let names = vec![
        ("{{A_ID}}".into(), "001RO00000PA".into()),
        ("{{B}}".into(), b.name.clone()),
    ];
    let (fake, url) = FakeCrm::start(
        salesforce_routes,
        bearer,
        r#"[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]"#,
        names,
        vec![Scripted {
            when: "/query/",
            status: StatusCode::SERVICE_UNAVAILABLE,
            retry_after: None,
            body: r#"[{"message": "Server temporarily unavailable", "errorCode": "SERVER_UNAVAILABLE"}]"#,
        }],
    )
    .await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let saved = save(
        &app,
        &admin,
        "salesforce",
        form(
            &url,
            TOKEN,
            json!({ "partner_field": "OpportunityPartner", "touch_kind": "co_sell" }),
        ),
    )
    .await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
    let view = connection_view(&app, &admin, "salesforce").await;
    assert_eq!(view.webhook_url, None, "Salesforce sends no plain webhooks");

    let done = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "salesforce", "backfill").await,
    )
    .await;
    assert_eq!(
        done.sync.status,
        SyncStatus::Done,
        "{:?}",
        done.sync.failure
    );
    assert_eq!(
        (
            done.sync.total,
            done.sync.fetched,
            done.sync.created,
            done.sync.failed
        ),
        (Some(3), 3, 3, 0),
        "{:?}",
        done.errors
    );
    let query = fake
        .seen()
        .into_iter()
        .find(|r| r.uri.starts_with("/services/data/v60.0/queryAll?q="))
        .unwrap();
    assert!(
        query.uri.contains("OpportunityPartnersFrom"),
        "{}",
        query.uri
    );
    assert_eq!(
        fake.seen()
            .iter()
            .filter(|r| r.uri.contains("/query/01g"))
            .count(),
        2,
        "the 503 was retried"
    );

    let won = deal(&app.db, "salesforce", "006RO00000A1").await;
    assert_eq!(
        (
            won.stage.0.as_str(),
            won.account_name.as_str(),
            won.amount_minor
        ),
        ("won", "Soylent Corp", 2_500_000)
    );
    assert_eq!(
        won.closed_at.unwrap().to_rfc3339(),
        "2026-05-02T00:00:00+00:00"
    );
    let touches = touches_of(&app.db, won.id).await;
    assert_eq!(touches.len(), 1);
    assert_eq!(
        (touches[0].partner_id, touches[0].kind.0.as_str()),
        (a.id, "co_sell"),
        "found by its account id, recorded as the connection's touch kind"
    );
    let open = deal(&app.db, "salesforce", "006RO00000A2").await;
    assert_eq!(
        (
            open.stage.0.as_str(),
            open.account_name.as_str(),
            open.amount_minor
        ),
        ("open", "Vandelay import desk", 730_025),
        "no account: the opportunity's name"
    );
    let lost = deal(&app.db, "salesforce", "006RO00000A3").await;
    assert_eq!(
        (lost.stage.0.as_str(), lost.lost_reason.as_deref()),
        ("lost", Some("Lost in Salesforce"))
    );
    assert_eq!(touches_of(&app.db, lost.id).await[0].partner_id, b.id);

    // With a consumer key, a sync signs in by the client credentials flow first, and again when
    // Salesforce stops taking the access token mid-sync.
    let oauth = json!({
        "partner_field": "OpportunityPartner", "touch_kind": "co_sell",
        "client_id": "3MVG9.consumer-key",
    });
    let saved = save(
        &app,
        &admin,
        "salesforce",
        form(&url, "sf-consumer-secret", oauth.clone()),
    )
    .await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
    fake.script.lock().unwrap().push_back(Scripted {
        when: "/query/",
        status: StatusCode::UNAUTHORIZED,
        retry_after: None,
        body: r#"[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]"#,
    });
    let before = fake.seen().len();
    let signed_in = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "salesforce", "backfill").await,
    )
    .await;
    assert_eq!(
        (signed_in.sync.status, signed_in.sync.unchanged),
        (SyncStatus::Done, 3),
        "{signed_in:?}"
    );
    let seen = fake.seen().split_off(before);
    let sign_ins: Vec<&Seen> = seen
        .iter()
        .filter(|r| r.uri == "/services/oauth2/token")
        .collect();
    assert_eq!(sign_ins.len(), 2, "at the start, and after the 401");
    assert!(
        sign_ins[0]
            .body
            .contains("client_secret=sf-consumer-secret")
    );
    assert!(
        seen.iter()
            .filter(|r| r.uri.starts_with("/services/data/"))
            .all(|r| r.authorization == format!("Bearer {TOKEN}")),
        "the access token signed in for, never the secret"
    );

    // Deleted in Salesforce (its recycle bin, through queryAll): the open opportunity is closed
    // as lost, the won one stays won with a word in the log.
    fake.script.lock().unwrap().push_back(Scripted {
        when: "/queryAll?",
        status: StatusCode::OK,
        retry_after: None,
        body: r#"{"totalSize": 2, "done": true, "records": [
            {"attributes": {"type": "Opportunity"}, "Id": "006RO00000A2", "Name": "Vandelay import desk",
             "IsDeleted": true, "IsClosed": false, "IsWon": false, "LastModifiedDate": "2026-06-01T10:00:00.000+0000"},
            {"attributes": {"type": "Opportunity"}, "Id": "006RO00000A1", "Name": "Soylent rollout",
             "IsDeleted": true, "IsClosed": true, "IsWon": true, "LastModifiedDate": "2026-06-01T10:05:00.000+0000"}]}"#,
    });
    let deletions = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "salesforce", "incremental").await,
    )
    .await;
    assert_eq!(
        (
            deletions.sync.status,
            deletions.sync.updated,
            deletions.sync.unchanged
        ),
        (SyncStatus::Done, 1, 1),
        "{deletions:?}"
    );
    let gone = deal(&app.db, "salesforce", "006RO00000A2").await;
    assert_eq!(
        (gone.stage.0.as_str(), gone.lost_reason.as_deref()),
        ("lost", Some("Deleted in Salesforce"))
    );
    assert_eq!(
        deal(&app.db, "salesforce", "006RO00000A1").await.stage,
        DealStage::Won
    );
    assert!(
        deletions
            .errors
            .iter()
            .any(|e| e.external_id == "006RO00000A1" && e.message.contains("stays as it is")),
        "{:?}",
        deletions.errors
    );

    // A secret Salesforce refuses fails the sync with its words.
    let wrong = save(
        &app,
        &admin,
        "salesforce",
        form(&url, "not-the-secret", oauth),
    )
    .await;
    assert_eq!(wrong.status(), 200);
    let refused = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "salesforce", "incremental").await,
    )
    .await;
    assert_eq!(refused.sync.status, SyncStatus::Failed);
    let failure = refused.sync.failure.unwrap();
    assert!(
        failure.contains("consumer key") && failure.contains("invalid client credentials"),
        "{failure}"
    );
}

async fn pipedrive_flow(test_db: common::TestDb) {
    let app = spawn_app(&test_db).await;
    let (a, b) = two_partners(&app.db).await;
    let names = vec![
        ("{{A}}".into(), a.name.clone()),
        ("{{B}}".into(), b.name.clone()),
    ];
    let (fake, url) = FakeCrm::start(
        pipedrive_routes,
        pipedrive_token,
        r#"{"success": false, "error": "unauthorized access", "errorCode": 401}"#,
        names,
        Vec::new(),
    )
    .await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let saved = save(
        &app,
        &admin,
        "pipedrive",
        form(
            &url,
            TOKEN,
            json!({ "partner_field": "9f3c2a1b7e", "webhook_secret": "pd-hook-pass" }),
        ),
    )
    .await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());

    let done = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "pipedrive", "backfill").await,
    )
    .await;
    assert_eq!(
        done.sync.status,
        SyncStatus::Done,
        "{:?}",
        done.sync.failure
    );
    assert_eq!(
        (done.sync.fetched, done.sync.created, done.sync.failed),
        (3, 2, 0),
        "{:?}",
        done.errors
    );
    assert!(
        fake.seen()
            .iter()
            .any(|r| r.uri.contains("cursor=eyJpZCI6MzAxfQ"))
    );
    assert!(
        fake.seen().iter().all(|r| r.authorization == TOKEN),
        "the token in x-api-token"
    );

    let open = deal(&app.db, "pipedrive", "301").await;
    assert_eq!(
        (
            open.stage.0.as_str(),
            open.account_name.as_str(),
            open.currency.0.code(),
            open.amount_minor
        ),
        ("open", "Stark Industries", "EUR", 1_850_075)
    );
    assert_eq!(touches_of(&app.db, open.id).await[0].partner_id, a.id);
    let won = deal(&app.db, "pipedrive", "302").await;
    assert_eq!(won.stage, DealStage::Won);
    assert_eq!(
        won.closed_at.unwrap().to_rfc3339(),
        "2026-04-01T16:00:00+00:00"
    );

    // The webhook carries its basic-auth password.
    let connection = crm_connections::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let hook = app.url(&format!("/hooks/crm/{}", connection.id));
    let wrong = app
        .client
        .post(&hook)
        .basic_auth("pipedrive", Some("guess"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = app
        .client
        .post(&hook)
        .basic_auth("pipedrive", Some("pd-hook-pass"))
        .body(r#"{"meta": {"action": "change", "entity": "deal", "entity_id": "302"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 202);
    // The scheduler adds no sync while one waits; once it has run, the connection is due again
    // after the interval.
    let later = Utc::now() + chrono::Duration::minutes(20);
    assert!(
        repo::crm::due_for_worker(&app.db, later)
            .await
            .unwrap()
            .is_empty()
    );
    let view = connection_view(&app, &admin, "pipedrive").await;
    run_to_end(&app, &admin, view.syncs[0].id).await;
    let due = repo::crm::due_for_worker(&app.db, later).await.unwrap();
    assert_eq!(
        due.iter().map(|c| c.id).collect::<Vec<_>>(),
        [connection.id]
    );
    let recently = Utc::now() - chrono::Duration::minutes(1);
    assert!(
        repo::crm::due_for_worker(&app.db, recently)
            .await
            .unwrap()
            .is_empty()
    );
    let unknown = app
        .client
        .post(app.url("/hooks/crm/999999"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    // Disconnecting waits for a queued sync, then forgets the connection and its history but
    // keeps the deals: connecting again finds them.
    let queued = app
        .client
        .post(&hook)
        .basic_auth("pipedrive", Some("pd-hook-pass"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 202);
    let disconnect = || app.call(&admin, "/api/crm/disconnect", &[("kind", "pipedrive")]);
    assert_eq!(disconnect().await.status(), 409);
    let view = connection_view(&app, &admin, "pipedrive").await;
    run_to_end(&app, &admin, view.syncs[0].id).await;
    let manager = app.signed_in(MANAGER, demo::DEMO_PASSWORD).await;
    let refused = app
        .call(&manager, "/api/crm/disconnect", &[("kind", "pipedrive")])
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(disconnect().await.status(), 200);
    assert_eq!(
        disconnect().await.status(),
        404,
        "nothing left to disconnect"
    );
    assert_eq!(
        crm_connections::Entity::find()
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(crm_syncs::Entity::find().count(&app.db).await.unwrap(), 0);
    let removed = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("crm_connection.removed"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("disconnecting is audited");
    assert!(!removed.before.unwrap_or_default().contains(TOKEN));
    let gone = app
        .client
        .post(&hook)
        .basic_auth("pipedrive", Some("pd-hook-pass"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(deal(&app.db, "pipedrive", "302").await.id, won.id);
    let view = connection_view(&app, &admin, "pipedrive").await;
    assert!(!view.configured && !view.has_token && view.syncs.is_empty());
    let again = save(
        &app,
        &admin,
        "pipedrive",
        form(&url, TOKEN, json!({ "partner_field": "9f3c2a1b7e" })),
    )
    .await;
    assert_eq!(again.status(), 200);
    let resynced = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "pipedrive", "backfill").await,
    )
    .await;
    assert_eq!((resynced.sync.created, resynced.sync.unchanged), (0, 3));

    // Deleted in Pipedrive: the open deal is closed as lost.
    fake.script.lock().unwrap().push_back(Scripted {
        when: "status=deleted",
        status: StatusCode::OK,
        retry_after: None,
        body: r#"{"success": true, "data": [{"id": 301, "title": "Stark Industries expansion",
            "status": "open", "is_deleted": true, "update_time": "2026-06-01T10:00:00Z"}],
            "additional_data": {"next_cursor": null}}"#,
    });
    let deletions = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "pipedrive", "incremental").await,
    )
    .await;
    assert_eq!(deletions.sync.status, SyncStatus::Done);
    let gone = deal(&app.db, "pipedrive", "301").await;
    assert_eq!(
        (gone.stage.0.as_str(), gone.lost_reason.as_deref()),
        ("lost", Some("Deleted in Pipedrive"))
    );
    assert!(
        fake.seen()
            .iter()
            .any(|r| r.uri.contains("status=deleted") && r.uri.contains("updated_since=")),
        "an incremental sync asks for deletions since its watermark"
    );
}

/// HubSpot's search stops at 10,000 results: the sync goes on with a new search from the newest
/// change it read.
async fn hubspot_search_cap_flow(test_db: common::TestDb) {
    let app = spawn_app(&test_db).await;
    let (a, b) = two_partners(&app.db).await;
    let names = vec![("{{A}}".into(), a.name), ("{{B}}".into(), b.name)];
    let (fake, url) = FakeCrm::start(
        hubspot_routes,
        bearer,
        "{}",
        names,
        vec![Scripted {
            when: "/search",
            status: StatusCode::OK,
            retry_after: None,
            body: r#"{"total": 12000, "results": [{"id": "5201", "properties": {
                "dealname": "Hooli expansion", "amount": "900", "dealstage": "appointmentscheduled",
                "createdate": "2026-04-01T10:00:00.000Z",
                "hs_lastmodifieddate": "2026-04-21T09:30:00.000Z"}}],
                "paging": {"next": {"after": "10000"}}}"#,
        }],
    )
    .await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let saved = save(&app, &admin, "hubspot", form(&url, TOKEN, json!({}))).await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
    let since = chrono::DateTime::parse_from_rfc3339("2026-04-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let row = crm_connections::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    crm_connections::ActiveModel {
        id: Set(row.id),
        synced_until: Set(Some(since)),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .unwrap();

    let done = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "hubspot", "incremental").await,
    )
    .await;
    assert_eq!(
        (done.sync.status, done.sync.fetched, done.sync.created),
        (SyncStatus::Done, 2, 2),
        "{done:?}"
    );
    let searches: Vec<Value> = fake
        .seen()
        .into_iter()
        .filter(|r| r.uri.contains("/search"))
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(searches.len(), 2);
    let from = |search: &Value| search["filterGroups"][0]["filters"][0]["value"].clone();
    assert_eq!(from(&searches[0]), since.timestamp_millis().to_string());
    let newest = chrono::DateTime::parse_from_rfc3339("2026-04-21T09:30:00Z").unwrap();
    assert_eq!(from(&searches[1]), newest.timestamp_millis().to_string());
    assert!(
        searches[1].get("after").is_none(),
        "a new search, from its start"
    );

    // Deleted in HubSpot since: the open deal is closed as lost.
    fake.script.lock().unwrap().push_back(Scripted {
        when: "archived=true",
        status: StatusCode::OK,
        retry_after: None,
        body: r#"{"results": [
            {"id": "5201", "properties": {"dealname": "Hooli expansion"}, "archived": true,
             "archivedAt": "2026-06-01T09:00:00.000Z"}]}"#,
    });
    let deleted = run_to_end(
        &app,
        &admin,
        start_sync(&app, &admin, "hubspot", "incremental").await,
    )
    .await;
    assert_eq!(
        (deleted.sync.fetched, deleted.sync.updated),
        (2, 1),
        "{deleted:?}"
    );
    let hooli = deal(&app.db, "hubspot", "5201").await;
    assert_eq!(
        (hooli.stage.0.as_str(), hooli.lost_reason.as_deref()),
        ("lost", Some("Deleted in HubSpot"))
    );
}

on_both_databases!(hubspot_sync, hubspot_flow);
on_both_databases!(hubspot_search_cap, hubspot_search_cap_flow);
on_both_databases!(salesforce_sync, salesforce_flow);
on_both_databases!(pipedrive_sync, pipedrive_flow);
