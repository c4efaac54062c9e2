//! Webhooks on both databases: messages queued with the change that raised them, signed per
//! Standard Webhooks (checked here with an HMAC written from the RFC 2104 definition, not the
//! app's), retried with back-off, delivered after a restart, redelivered on request, and an
//! endpoint that keeps failing switched off. The receiver is a real HTTP server on loopback.

use crate::common;

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use backend::demo;
use backend::entities::{audit_events, webhook_deliveries, webhook_endpoints};
use backend::webhooks::WebhookSettings;
use backend::webhooks::worker::{client, deliver_due};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{Duration, Utc};
use partner_attribution::api::webhooks::{DeliveryRow, EndpointDetail};
use partner_attribution::domain::webhook::DeliveryStatus;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const ADMIN: &str = "admin@northwind.example";

/// HMAC-SHA256 from its definition: H((K ^ opad) || H((K ^ ipad) || message)).
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = block
        .iter()
        .map(|b| b ^ 0x36)
        .chain(message.iter().copied())
        .collect();
    let inner_hash = Sha256::digest(&inner);
    let outer: Vec<u8> = block
        .iter()
        .map(|b| b ^ 0x5c)
        .chain(inner_hash.iter().copied())
        .collect();
    Sha256::digest(&outer).to_vec()
}

#[derive(Clone, Debug)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer, in order; 204 once they run out.
    answers: Arc<Mutex<Vec<u16>>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    receiver.received.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body,
    });
    let mut answers = receiver.answers.lock().unwrap();
    let status = if answers.is_empty() {
        204
    } else {
        answers.remove(0)
    };
    StatusCode::from_u16(status).unwrap()
}

/// A receiver on a random loopback port; answers `answers` in turn, then 204.
async fn receiver(answers: &[u16]) -> (String, Receiver) {
    let receiver = Receiver {
        answers: Arc::new(Mutex::new(answers.to_vec())),
        ..Receiver::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/hooks", post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receiver)
}

fn settings() -> WebhookSettings {
    WebhookSettings {
        allow_private_targets: true,
        // One schedule step is a millisecond: the test moves `now` instead of waiting.
        retry_unit_ms: 1,
        timeout_seconds: 5,
    }
}

async fn create_endpoint(
    app: &common::TestApp,
    admin: &reqwest::Client,
    url: &str,
    events: &[&str],
) -> i64 {
    let mut form = vec![("form[url]".to_owned(), url.to_owned())];
    for (i, event) in events.iter().enumerate() {
        form.push((format!("form[events][{i}]"), (*event).to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let response = app.call(admin, "/api/webhooks/save", &form).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn detail(app: &common::TestApp, admin: &reqwest::Client, id: i64) -> EndpointDetail {
    let response = app
        .call(admin, "/api/webhooks/get", &[("id", &id.to_string())])
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Wins an open deal of the demo company over HTTP, as a manager would.
async fn win_a_deal(app: &common::TestApp, data: &demo::DemoData) -> i64 {
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let index = (0..data.deals.len())
        .find(|&i| {
            data.deals[i].stage == partner_attribution::domain::deal::DealStage::Open
                && data.touchpoints.iter().any(|t| t.deal == i)
        })
        .expect("an open deal with touches");
    let id = (index + 1) as i64;
    let closed = app
        .call(
            &manager,
            "/api/deals/close",
            &[("id", &id.to_string()), ("outcome", "won")],
        )
        .await;
    assert_eq!(closed.status(), 200, "{}", closed.text().await.unwrap());
    id
}

async fn signed_retried_redelivered_and_durable(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(31, 30, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn_with(db, |config| config.webhooks = settings()).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;

    // An endpoint on a private address is refused under the shipped settings (see the unit
    // tests); here they allow it. Unknown events are refused next to the field.
    let (url, receiver) = receiver(&[500]).await;
    let bad = app
        .call(
            &admin,
            "/api/webhooks/save",
            &[
                ("form[url]", url.as_str()),
                ("form[events][0]", "deal.exploded"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let endpoint = create_endpoint(&app, &admin, &url, &["deal.won", "attribution.computed"]).await;
    let other = create_endpoint(&app, &admin, &url, &["payout.approved"]).await;

    let deal = win_a_deal(&app, &data).await;
    // Queued with the win: one message per subscribed event, none for the other endpoint.
    let queued = webhook_deliveries::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    let mut events: Vec<&str> = queued.iter().map(|d| d.event_type.0.as_str()).collect();
    events.sort();
    assert_eq!(events, ["attribution.computed", "deal.won"]);
    assert!(
        queued
            .iter()
            .all(|d| d.endpoint_id == endpoint && d.status == DeliveryStatus::Pending)
    );

    // First pass: the receiver fails the first message (500), takes the second.
    let settings = settings();
    let http = client(&settings);
    let now = Utc::now();
    assert_eq!(
        deliver_due(&app.db, &http, &settings, now).await.unwrap(),
        2
    );
    let log = detail(&app, &admin, endpoint).await.deliveries;
    let failed: Vec<&DeliveryRow> = log
        .iter()
        .filter(|d| d.status.as_str() == "pending")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempts, 1);
    assert_eq!(failed[0].last_status, Some(500));
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("HTTP 500")
    );
    // Not due again until its back-off (5 steps) has passed.
    assert_eq!(
        deliver_due(&app.db, &http, &settings, now).await.unwrap(),
        0
    );

    // "Restart": a new connection and client find the pending delivery and send it.
    let reopened = backend::database::connect(&test_db.url).await.unwrap();
    let later = now + Duration::milliseconds(6);
    assert_eq!(
        deliver_due(&reopened, &client(&settings), &settings, later)
            .await
            .unwrap(),
        1
    );
    let log = detail(&app, &admin, endpoint).await.deliveries;
    assert!(
        log.iter().all(|d| d.status.as_str() == "delivered"),
        "{log:?}"
    );
    assert_eq!(log.iter().map(|d| d.attempts).max(), Some(2));

    // Every request carried a Standard Webhooks signature the receiver can check on its own.
    let secret = detail(&app, &admin, endpoint).await.secret;
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let received = receiver.received.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    for message in &received {
        let signed = format!("{}.{}.{}", message.id, message.timestamp, message.body);
        let expected = format!(
            "v1,{}",
            STANDARD.encode(hmac_sha256(&key, signed.as_bytes()))
        );
        assert_eq!(message.signature, expected);
        assert!(message.id.starts_with("msg_"));
        let body: Value = serde_json::from_str(&message.body).unwrap();
        assert_eq!(body["data"]["id"], deal);
        assert_eq!(body["data"]["object"], "deal");
    }
    // A tampered body would not verify.
    let first = &received[0];
    let forged = format!(
        "{}.{}.{}",
        first.id,
        first.timestamp,
        first.body.replace("deal", "dael")
    );
    assert_ne!(
        first.signature,
        format!(
            "v1,{}",
            STANDARD.encode(hmac_sha256(&key, forged.as_bytes()))
        )
    );
    let won = received
        .iter()
        .find(|m| m.body.contains("\"deal.won\""))
        .unwrap();
    let body: Value = serde_json::from_str(&won.body).unwrap();
    assert_eq!(body["data"]["state"]["stage"], "won");

    // Redeliver: the same message (same id and body) again.
    let delivery = detail(&app, &admin, endpoint).await.deliveries[0].clone();
    let again = app
        .call(
            &admin,
            "/api/webhooks/redeliver",
            &[("delivery_id", &delivery.id.to_string())],
        )
        .await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        deliver_due(&app.db, &http, &settings, Utc::now())
            .await
            .unwrap(),
        1
    );
    let received = receiver.received.lock().unwrap().clone();
    assert_eq!(received.last().unwrap().id, delivery.message_id);
    let audited = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("webhook_delivery.redelivered"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, 1);

    // Another organization's admin sees none of it.
    let outsider = app.browser();
    let signed_up = app
        .call(
            &outsider,
            "/api/auth/sign-up",
            &[
                ("organization", "Other Org"),
                ("currency", "USD"),
                ("name", "Olga Other"),
                ("email", "olga@other-org.example"),
                ("password", "amber-tundra-signal-64"),
            ],
        )
        .await;
    assert_eq!(signed_up.status(), 200);
    let theirs = app
        .call(
            &outsider,
            "/api/webhooks/get",
            &[("id", &endpoint.to_string())],
        )
        .await;
    assert_eq!(theirs.status(), 404);
    let redeliver = app
        .call(
            &outsider,
            "/api/webhooks/redeliver",
            &[("delivery_id", &delivery.id.to_string())],
        )
        .await;
    assert_eq!(redeliver.status(), 404);

    // A bulk approval queues one payout.approved message per payout, for the endpoint that
    // subscribed to it.
    let pending: Vec<i64> = backend::entities::payouts::Entity::find()
        .filter(backend::entities::payouts::Column::Status.eq("pending"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .take(3)
        .collect();
    assert_eq!(pending.len(), 3);
    let mut fields: Vec<(String, String)> = pending
        .iter()
        .enumerate()
        .map(|(i, id)| (format!("selection[ids][{i}]"), id.to_string()))
        .collect();
    fields.push(("form[verb]".into(), "approve".into()));
    fields.push(("idempotency_key".into(), "webhook-test".into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let approved = app.call(&admin, "/api/payouts/bulk", &fields).await;
    assert_eq!(approved.status(), 200);
    let summary: Value = approved.json().await.unwrap();
    assert_eq!(summary["succeeded"], 3);
    let queued = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::EventType.eq("payout.approved"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(queued.len(), 3);
    assert!(queued.iter().all(|d| d.endpoint_id == other));
}
on_both_databases!(delivery, signed_retried_redelivered_and_durable);

async fn a_failing_endpoint_is_switched_off(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(32, 30, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn_with(db, |config| config.webhooks = settings()).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let (url, receiver) = receiver(&[503; 100]).await;
    let endpoint = create_endpoint(
        &app,
        &admin,
        &url,
        &["deal.won", "attribution.computed", "commission.created"],
    )
    .await;
    win_a_deal(&app, &data).await;

    let settings = settings();
    let http = client(&settings);
    let mut now = Utc::now();
    for _ in 0..40 {
        deliver_due(&app.db, &http, &settings, now).await.unwrap();
        // Past the longest back-off step.
        now += Duration::milliseconds(30_000);
    }
    let model = webhook_endpoints::Entity::find_by_id(endpoint)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!model.enabled);
    assert!(
        model
            .disabled_reason
            .as_deref()
            .unwrap()
            .contains("failed deliveries in a row")
    );
    let attempts = receiver.received.lock().unwrap().len() as u32;
    assert_eq!(
        attempts,
        partner_attribution::domain::webhook::DISABLE_AFTER_FAILURES
    );
    // Nothing waits for a switched-off endpoint, and the switch is in the audit trail.
    let pending = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::Status.eq("pending"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(pending, 0);
    let switched = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("webhook_endpoint.disabled"))
        .filter(audit_events::Column::EntityId.eq(endpoint))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(switched.actor_label, "webhook delivery");
    // Redelivery waits until a person switches the endpoint back on, which clears the count.
    let log = detail(&app, &admin, endpoint).await.deliveries;
    let again = app
        .call(
            &admin,
            "/api/webhooks/redeliver",
            &[("delivery_id", &log[0].id.to_string())],
        )
        .await;
    assert_eq!(again.status(), 409);
    let on = app
        .call(
            &admin,
            "/api/webhooks/enable",
            &[("id", &endpoint.to_string()), ("enabled", "true")],
        )
        .await;
    assert_eq!(on.status(), 200);
    let model = webhook_endpoints::Entity::find_by_id(endpoint)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(model.enabled && model.failure_streak == 0 && model.disabled_reason.is_none());
    let _ = json!({});
}
on_both_databases!(switch_off, a_failing_endpoint_is_switched_off);

async fn endpoints_are_managed_over_the_rest_api(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(33, 10, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn_with(db, |config| config.webhooks = settings()).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let key = |scope: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let created: partner_attribution::api::api_keys::CreatedApiKey = app
                .call(
                    &admin,
                    "/api/api-keys/create",
                    &[("form[name]", scope), ("form[scope]", scope)],
                )
                .await
                .json()
                .await
                .unwrap();
            created.secret
        }
    };
    let writer = key("write").await;
    let reader = key("read").await;
    let api = |method: reqwest::Method, path: &str, key: &str| {
        app.client
            .request(method, app.url(&format!("/api/v1{path}")))
            .bearer_auth(key)
    };
    let body = json!({ "url": "http://127.0.0.1:9/hooks", "events": ["deal.won", "payout.paid"] });
    let refused = api(reqwest::Method::POST, "/webhooks", &reader)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let created = api(reqwest::Method::POST, "/webhooks", &writer)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(created["events"], json!(["deal.won", "payout.paid"]));
    let id = created["id"].as_i64().unwrap();
    let listed: Value = api(reqwest::Method::GET, "/webhooks", &reader)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert!(
        listed["data"][0]["secret"].is_null(),
        "a read key does not see the secret"
    );
    let bad = api(reqwest::Method::PUT, &format!("/webhooks/{id}"), &writer)
        .json(&json!({ "url": "nowhere", "events": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["url", "events"]);
    let off = api(reqwest::Method::PUT, &format!("/webhooks/{id}"), &writer)
        .json(&json!({ "url": "http://127.0.0.1:9/hooks", "events": ["deal.lost"], "enabled": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 200);
    let off: Value = off.json().await.unwrap();
    assert_eq!(off["enabled"], false);
    assert_eq!(off["events"], json!(["deal.lost"]));
    let log: Value = api(
        reqwest::Method::GET,
        &format!("/webhooks/{id}/deliveries"),
        &reader,
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(log["data"].as_array().unwrap().len(), 0);
    let gone = api(reqwest::Method::DELETE, &format!("/webhooks/{id}"), &writer)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    assert_eq!(
        api(reqwest::Method::GET, &format!("/webhooks/{id}"), &reader)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let audited = audit_events::Entity::find()
        .filter(audit_events::Column::EntityType.eq("webhook_endpoint"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(audited, 4, "created, updated, switched off, deleted");
}
on_both_databases!(rest, endpoints_are_managed_over_the_rest_api);

/// Counts TCP connections on a loopback port and answers each with 204: whatever connects
/// would count as delivered.
async fn counting_listener() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = socket
                .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                .await;
        }
    });
    (port, count)
}

/// The worker decides on the address it connects to: every spelling of loopback, and a plain
/// host name that resolves to it (this machine's own name), is refused without a connection
/// under the shipped settings, while the same endpoints are reached once private targets are
/// allowed.
#[tokio::test]
async fn internal_addresses_are_refused_when_connecting() {
    let test_db = common::TestDb::sqlite();
    let db = test_db.migrated().await;
    let data = demo::generate(33, 30, Utc::now());
    demo::load(&db, &data).await.unwrap();
    // The app accepts private endpoints here, so that only the worker's own check stands.
    let app = common::TestApp::spawn_with(db, |config| config.webhooks = settings()).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let (port, connections) = counting_listener().await;
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let resolves_internally = !hostname.is_empty()
        && tokio::net::lookup_host((hostname.as_str(), port))
            .await
            .is_ok_and(|mut addrs| {
                addrs.all(|a| !partner_attribution::domain::net::is_public(a.ip()))
            });
    let mut hosts = vec![
        "localhost",
        "2130706433",
        "0x7f.1",
        "0177.0.0.1",
        "127.1",
        "127.0.0.1.",
        "[::ffff:127.0.0.1]",
    ];
    if resolves_internally {
        hosts.push(&hostname);
    } else {
        eprintln!("this machine's name does not resolve to an internal address: not tried");
    }
    for host in &hosts {
        let url = format!("http://{host}:{port}/hooks");
        create_endpoint(&app, &admin, &url, &["deal.won"]).await;
    }
    win_a_deal(&app, &data).await;

    let shipped = WebhookSettings {
        allow_private_targets: false,
        ..settings()
    };
    let now = Utc::now();
    let attempted = deliver_due(&app.db, &client(&shipped), &shipped, now)
        .await
        .unwrap();
    assert_eq!(attempted, hosts.len());
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing may connect to loopback"
    );
    let refused = webhook_deliveries::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(refused.len(), hosts.len());
    for delivery in &refused {
        let error = delivery.last_error.as_deref().unwrap_or_default();
        // Refused as such (for names, by the resolver), not as a failed send.
        assert!(
            error.ends_with("private targets are not allowed."),
            "{error}"
        );
        assert!(!error.contains("error sending request"), "{error}");
        assert_eq!(delivery.status, DeliveryStatus::Pending);
    }

    // The control: allowed, the very same deliveries reach the listener.
    let allowed = settings();
    let later = now + Duration::milliseconds(10);
    deliver_due(&app.db, &client(&allowed), &allowed, later)
        .await
        .unwrap();
    assert!(connections.load(std::sync::atomic::Ordering::SeqCst) >= 6);
}
