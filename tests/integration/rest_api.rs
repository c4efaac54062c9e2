//! The REST API over HTTP on both databases: keys (shown once, scoped, revocable, last use),
//! Bearer authentication, problem details, rate limits with Retry-After, partners read and
//! written through the same rules as the web app, idempotent upserts, keyset pages, tenancy, and
//! the audit naming the key.

use crate::common;

use backend::demo;
use backend::entities::{audit_events, partners};
use chrono::Utc;
use partner_attribution::api::api_keys::{ApiKeyRow, CreatedApiKey};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

const ADMIN: &str = "admin@northwind.example";
const MANAGER: &str = "manager@northwind.example";

async fn create_key(
    app: &common::TestApp,
    admin: &reqwest::Client,
    name: &str,
    scope: &str,
) -> CreatedApiKey {
    let response = app
        .call(
            admin,
            "/api/api-keys/create",
            &[("form[name]", name), ("form[scope]", scope)],
        )
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

struct Api<'a> {
    app: &'a common::TestApp,
    key: String,
}

impl Api<'_> {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.app
            .client
            .request(method, self.app.url(&format!("/api/v1{path}")))
            .bearer_auth(&self.key)
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        answer(
            self.request(reqwest::Method::GET, path)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> (StatusCode, Value) {
        answer(self.request(method, path).json(body).send().await.unwrap()).await
    }
}

/// Status and JSON body; error bodies must be problem details.
async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status.is_client_error() || status.is_server_error() {
        assert_eq!(content_type, "application/problem+json", "{status}: {body}");
        assert_eq!(body["status"], status.as_u16(), "{body}");
        assert!(
            body["title"].is_string() && body["detail"].is_string(),
            "{body}"
        );
    }
    (status, body)
}

async fn keys_authenticate_by_scope_until_revoked(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(5, 30, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;

    let read = create_key(&app, &admin, "Reporting", "read").await;
    let write = create_key(&app, &admin, "HubSpot sync", "write").await;
    assert!(read.secret.starts_with(&read.key.starts_with));
    assert_eq!(read.key.last_used_at, None);
    // The secret is never stored: only its digest.
    let stored: Vec<String> = backend::entities::api_keys::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.secret_digest)
        .collect();
    assert!(
        stored
            .iter()
            .all(|d| *d != read.secret && *d != write.secret)
    );

    // Bad names are refused next to the field.
    let bad = app
        .call(
            &admin,
            "/api/api-keys/create",
            &[("form[name]", " "), ("form[scope]", "root")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    // Managers cannot make keys.
    let manager = app.signed_in(MANAGER, demo::DEMO_PASSWORD).await;
    let denied = app
        .call(
            &manager,
            "/api/api-keys/create",
            &[("form[name]", "x"), ("form[scope]", "write")],
        )
        .await;
    assert_eq!(denied.status(), 403);

    // No key, a malformed key, a made-up key: 401 with WWW-Authenticate.
    let anonymous = app
        .client
        .get(app.url("/api/v1/partners"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    for key in [
        "nonsense",
        &format!("{}x", read.secret),
        &read
            .secret
            .replace(&read.key.starts_with, "pa_zzzzzzzzzzzz_"),
    ] {
        let api = Api {
            app: &app,
            key: key.to_owned(),
        };
        assert_eq!(
            api.get("/partners").await.0,
            StatusCode::UNAUTHORIZED,
            "{key}"
        );
    }

    let reader = Api {
        app: &app,
        key: read.secret.clone(),
    };
    let writer = Api {
        app: &app,
        key: write.secret.clone(),
    };
    let (status, page) = reader.get("/partners?limit=5").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["data"].as_array().unwrap().len(), 5);

    // A read key cannot write; a write key can.
    let body =
        json!({ "name": "Fjord Analytics", "partner_type": "referral", "commission_rate": "7.5" });
    let (status, problem) = reader.send(reqwest::Method::POST, "/partners", &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (status, created) = writer.send(reqwest::Method::POST, "/partners", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["commission_rate"], "7.5");
    assert_eq!(created["tier"], "registered");
    assert_eq!(created["status"], "invited");

    // The key list shows the last use; revoking stops the key at once.
    let keys: Vec<ApiKeyRow> = app
        .call(&admin, "/api/api-keys/list", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(keys.iter().all(|k| k.last_used_at.is_some()), "{keys:?}");
    let revoked = app
        .call(
            &admin,
            "/api/api-keys/revoke",
            &[("id", &read.key.id.to_string())],
        )
        .await;
    assert_eq!(revoked.status(), 200);
    assert_eq!(reader.get("/partners").await.0, StatusCode::UNAUTHORIZED);
    let again = app
        .call(
            &admin,
            "/api/api-keys/revoke",
            &[("id", &read.key.id.to_string())],
        )
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(writer.get("/partners?limit=1").await.0, StatusCode::OK);

    // Each key change is audited by the admin; the partner created by the key names the key.
    let audit = audit_events::Entity::find()
        .filter(audit_events::Column::EntityType.is_in(["api_key", "partner"]))
        .order_by_asc(audit_events::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|e| (e.action.as_str(), e.actor_label.as_str()))
        .collect();
    assert!(actions.contains(&("api_key.created", ADMIN)), "{actions:?}");
    assert!(actions.contains(&("api_key.revoked", ADMIN)), "{actions:?}");
    let by_key = audit
        .iter()
        .find(|e| e.action == "partner.created")
        .unwrap();
    assert_eq!(by_key.actor_user_id, None);
    assert!(by_key.request_id.is_some(), "the API request is named");
    assert!(
        by_key.actor_label.contains("HubSpot sync"),
        "{}",
        by_key.actor_label
    );
}
on_both_databases!(keys, keys_authenticate_by_scope_until_revoked);

async fn partners_upsert_idempotently_and_page_by_cursor(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(6, 30, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let api = Api {
        app: &app,
        key: create_key(&app, &admin, "CRM", "write").await.secret,
    };

    // Keyset pages cover every partner once, in id order.
    let mut seen = Vec::new();
    let mut path = "/partners?limit=7".to_owned();
    loop {
        let (status, page) = api.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/partners?limit=7&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), data.partners.len());
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    // Filters agree with the data.
    let (_, resellers) = api.get("/partners?partner_type=reseller&limit=200").await;
    let expected = data
        .partners
        .iter()
        .filter(|p| p.partner_type.as_str() == "reseller")
        .count();
    assert_eq!(resellers["data"].as_array().unwrap().len(), expected);

    // Upsert by external id: created, then the same request changes nothing, then an update.
    let body = json!({
        "name": "Glacier Systems", "partner_type": "technology", "tier": "silver",
        "commission_rate": "12", "contact_email": "ops@glacier.example", "region": "EMEA"
    });
    let count = || async { audit_events::Entity::find().count(&app.db).await.unwrap() };
    let (status, first) = api
        .send(
            reqwest::Method::PUT,
            "/partners/by-external-id/HS-1001",
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["external_id"], "HS-1001");
    let audited = count().await;
    let (status, second) = api
        .send(
            reqwest::Method::PUT,
            "/partners/by-external-id/HS-1001",
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(second, first, "the same request twice changes nothing");
    assert_eq!(count().await, audited, "and audits nothing");
    let stored = partners::Entity::find()
        .filter(partners::Column::ExternalId.eq("HS-1001"))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(stored, 1);
    let mut changed = body.clone();
    changed["tier"] = json!("gold");
    let (status, third) = api
        .send(
            reqwest::Method::PUT,
            "/partners/by-external-id/HS-1001",
            &changed,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(third["tier"], "gold");
    assert_eq!(third["id"], first["id"]);
    let (_, found) = api.get("/partners?external_id=HS-1001").await;
    assert_eq!(found["data"][0]["id"], first["id"]);

    // PATCH changes only what it names, and walks the onboarding flow (refusing illegal moves).
    let id = first["id"].as_i64().unwrap();
    let (status, patched) = api
        .send(
            reqwest::Method::PATCH,
            &format!("/partners/{id}"),
            &json!({ "region": "APAC", "status": "onboarding" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["region"], "APAC");
    assert_eq!(patched["tier"], "gold");
    assert_eq!(patched["status"], "onboarding");
    let (status, problem) = api
        .send(
            reqwest::Method::PATCH,
            &format!("/partners/{id}"),
            &json!({ "status": "invited" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");

    // Invalid input: problem details with every field at fault; unknown values and fields, bad
    // JSON, a bad id, a bad cursor and a page too large are refused with a reason.
    let (status, problem) = api
        .send(reqwest::Method::POST, "/partners", &json!({ "name": "Glacier Systems", "partner_type": "referral", "commission_rate": "140", "contact_email": "nope" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["name", "commission_rate", "contact_email"] {
        assert!(fields.contains(&field), "{field} in {problem}");
    }
    let (status, problem) = api
        .send(
            reqwest::Method::POST,
            "/partners",
            &json!({ "name": "X", "partner_type": "wizard", "commission_rate": "5" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"].as_str().unwrap().contains("partner_type"),
        "{problem}"
    );
    let (status, _) = api
        .send(reqwest::Method::POST, "/partners", &json!({ "name": "X", "partner_type": "referral", "commission_rate": "5", "colour": "red" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let raw = api
        .request(reqwest::Method::POST, "/partners")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(answer(raw).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(api.get("/partners/abc").await.0, StatusCode::NOT_FOUND);
    assert_eq!(api.get("/partners/999999").await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        api.get("/partners?cursor=bogus").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        api.get("/partners?limit=5000").await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(api.get("/no-such-route").await.0, StatusCode::NOT_FOUND);

    // Another organization's key sees none of this organization's partners.
    let other = app.browser();
    let signed_up = app
        .call(
            &other,
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
    let outsider = Api {
        app: &app,
        key: create_key(&app, &other, "Other", "write").await.secret,
    };
    let (_, theirs) = outsider.get("/partners").await;
    assert_eq!(theirs["data"].as_array().unwrap().len(), 0);
    assert_eq!(
        outsider.get(&format!("/partners/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = outsider
        .send(
            reqwest::Method::PATCH,
            &format!("/partners/{id}"),
            &json!({ "region": "X" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The same external id in another organization is another partner.
    let (status, theirs) = outsider
        .send(
            reqwest::Method::PUT,
            "/partners/by-external-id/HS-1001",
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(theirs["id"], first["id"]);
}
on_both_databases!(
    partner_records,
    partners_upsert_idempotently_and_page_by_cursor
);

async fn rate_limits_answer_with_retry_after(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(8, 10, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn_with(db, |config| {
        config.auth.limits.api_requests_per_key_per_minute = 3;
    })
    .await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let first = Api {
        app: &app,
        key: create_key(&app, &admin, "Busy", "read").await.secret,
    };
    let second = Api {
        app: &app,
        key: create_key(&app, &admin, "Quiet", "read").await.secret,
    };
    for _ in 0..3 {
        assert_eq!(first.get("/partners?limit=1").await.0, StatusCode::OK);
    }
    let limited = first
        .request(reqwest::Method::GET, "/partners")
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let (_, problem) = answer(limited).await;
    assert_eq!(problem["retry_after"], retry);
    // Another key has its own budget.
    assert_eq!(second.get("/partners?limit=1").await.0, StatusCode::OK);
}
on_both_databases!(rate_limits, rate_limits_answer_with_retry_after);

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let db = common::TestDb::sqlite();
    let app = common::TestApp::spawn(db.migrated().await).await;
    let response = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    for path in [
        "/api/v1/partners",
        "/api/v1/partners/{id}",
        "/api/v1/partners/by-external-id/{external_id}",
    ] {
        assert!(document["paths"][path].is_object(), "{path}");
    }
    assert_eq!(
        document["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    assert_eq!(
        document["components"]["schemas"]["PartnerType"]["enum"],
        json!([
            "reseller",
            "referral",
            "technology",
            "integrator",
            "agency",
            "marketplace",
            "distributor"
        ])
    );
}

async fn deals_and_touchpoints_flow_through_the_app_rules(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(9, 30, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let app = common::TestApp::spawn(db).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let api = Api {
        app: &app,
        key: create_key(&app, &admin, "CRM", "write").await.secret,
    };
    let (_, partners) = api.get("/partners?status=active&limit=2").await;
    let first = partners["data"][0]["id"].as_i64().unwrap();
    let second = partners["data"][1]["id"].as_i64().unwrap();
    let today = Utc::now().date_naive();
    let earlier = today - chrono::Duration::days(20);
    // Touches are recorded at noon: yesterday's are before a win at any time today.
    let yesterday = today - chrono::Duration::days(1);

    let deal_body = json!({
        "name": "Acme renewal", "account_name": "Acme Corp",
        "amount": { "amount": "10000.01", "currency": "USD" }, "expected_close_on": today
    });
    let (status, deal) = api
        .send(
            reqwest::Method::PUT,
            "/deals/by-external-id/OPP-7",
            &deal_body,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    assert_eq!(deal["stage"], "open");
    assert_eq!(deal["source"], "api");
    assert_eq!(
        deal["amount"],
        json!({ "amount": "10000.01", "currency": "USD" })
    );
    let deal_id = deal["id"].as_i64().unwrap();

    let touch = |partner: i64, kind: &str, day: chrono::NaiveDate| json!({ "deal_id": deal_id, "partner_id": partner, "kind": kind, "occurred_on": day });
    let (status, t1) = api
        .send(
            reqwest::Method::PUT,
            "/touchpoints/by-external-id/T-1",
            &touch(first, "referral", earlier),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t1}");
    let (status, _) = api
        .send(
            reqwest::Method::PUT,
            "/touchpoints/by-external-id/T-2",
            &touch(second, "demo", yesterday),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // Replaying the whole sync changes nothing and audits nothing.
    let audited = audit_events::Entity::find().count(&app.db).await.unwrap();
    let (status, same) = api
        .send(
            reqwest::Method::PUT,
            "/deals/by-external-id/OPP-7",
            &deal_body,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(same, deal);
    let (status, again) = api
        .send(
            reqwest::Method::PUT,
            "/touchpoints/by-external-id/T-1",
            &touch(first, "referral", earlier),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, t1);
    assert_eq!(
        audit_events::Entity::find().count(&app.db).await.unwrap(),
        audited
    );

    // Bad touches: a future day, a partner or deal of no one's, a touch moved between deals.
    let (status, problem) = api
        .send(
            reqwest::Method::POST,
            "/touchpoints",
            &touch(first, "demo", today + chrono::Duration::days(3)),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "occurred_on", "{problem}");
    let (status, problem) = api
        .send(
            reqwest::Method::POST,
            "/touchpoints",
            &touch(999_999, "demo", today),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "partner_id", "{problem}");
    let mut elsewhere = touch(first, "demo", today);
    elsewhere["deal_id"] = json!(999_999);
    let (status, problem) = api
        .send(reqwest::Method::POST, "/touchpoints", &elsewhere)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "deal_id", "{problem}");
    let (status, _) = api
        .send(
            reqwest::Method::PUT,
            "/touchpoints/by-external-id/T-1",
            &elsewhere,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Lost needs its reason; won attributes the deal under every model and books commissions.
    let (status, problem) = api
        .send(
            reqwest::Method::PATCH,
            &format!("/deals/{deal_id}"),
            &json!({ "stage": "lost" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "lost_reason", "{problem}");
    let (status, won) = api
        .send(
            reqwest::Method::PATCH,
            &format!("/deals/{deal_id}"),
            &json!({ "stage": "won" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{won}");
    assert_eq!(won["stage"], "won");
    let (status, attribution) = api.get(&format!("/deals/{deal_id}/attribution")).await;
    assert_eq!(status, StatusCode::OK);
    let splits = attribution["splits"].as_array().unwrap();
    let models: std::collections::BTreeSet<&str> = splits
        .iter()
        .map(|s| s["model"].as_str().unwrap())
        .collect();
    assert!(models.len() >= 5, "{models:?}");
    for model in &models {
        let total: rust_decimal::Decimal = splits
            .iter()
            .filter(|s| s["model"] == *model)
            .map(|s| {
                s["amount"]["amount"]
                    .as_str()
                    .unwrap()
                    .parse::<rust_decimal::Decimal>()
                    .unwrap()
            })
            .sum();
        assert_eq!(
            total.to_string(),
            "10000.01",
            "{model} sums exactly to the amount"
        );
    }
    assert!(attribution["payable_model"].is_string());
    let (_, first_touch) = api
        .get(&format!("/deals/{deal_id}/attribution?model=first_touch"))
        .await;
    let only: Vec<&Value> = first_touch["splits"].as_array().unwrap().iter().collect();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["partner_id"], first);
    assert_eq!(only[0]["amount"]["amount"], "10000.01");
    let commissions = backend::entities::payouts::Entity::find()
        .filter(backend::entities::payouts::Column::DealId.eq(deal_id))
        .count(&app.db)
        .await
        .unwrap();
    assert!(commissions > 0, "the win booked commissions");
    let (status, ledger) = api.get(&format!("/payouts?deal_id={deal_id}")).await;
    assert_eq!(status, StatusCode::OK, "{ledger}");
    let entries = ledger["data"].as_array().unwrap();
    assert_eq!(entries.len() as u64, commissions);
    assert!(entries.iter().all(|p| p["status"] == "pending"
        && p["kind"] == "commission"
        && p["deal_id"] == deal_id
        && p["amount"]["currency"] == "USD"));
    let (status, one) = api.get(&format!("/payouts/{}", entries[0]["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one, entries[0]);
    let (_, paid) = api.get("/payouts?status=paid&limit=200").await;
    assert!(
        paid["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "paid" && p["paid_on"].is_string())
    );

    // A changed touch on the won deal re-attributes it; removing one too.
    let (status, _) = api
        .send(
            reqwest::Method::PUT,
            "/touchpoints/by-external-id/T-2",
            &touch(second, "co_sell", yesterday),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let reattributed = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("deal.reattributed"))
        .filter(audit_events::Column::EntityId.eq(deal_id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(reattributed, 1);
    let removed = api
        .request(
            reqwest::Method::DELETE,
            &format!("/touchpoints/{}", t1["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let (_, left) = api.get(&format!("/touchpoints?deal_id={deal_id}")).await;
    assert_eq!(left["data"].as_array().unwrap().len(), 1);

    // Won → lost is not a move the pipeline allows without re-opening.
    let (status, _) = api
        .send(
            reqwest::Method::PATCH,
            &format!("/deals/{deal_id}"),
            &json!({ "stage": "lost", "lost_reason": "Budget" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, reopened) = api
        .send(
            reqwest::Method::PATCH,
            &format!("/deals/{deal_id}"),
            &json!({ "stage": "open" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reopened["stage"], "open");
    let (_, none) = api.get(&format!("/deals/{deal_id}/attribution")).await;
    assert_eq!(none["splits"].as_array().unwrap().len(), 0);

    // Lists: by stage and keyset pages.
    let (_, open) = api.get("/deals?stage=open&limit=200").await;
    assert!(
        open["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["stage"] == "open")
    );
    let (_, found) = api.get("/deals?external_id=OPP-7").await;
    assert_eq!(found["data"][0]["id"], deal_id);

    // A read key reads deals and attribution but records nothing.
    let reader = Api {
        app: &app,
        key: create_key(&app, &admin, "BI", "read").await.secret,
    };
    assert_eq!(
        reader.get(&format!("/deals/{deal_id}")).await.0,
        StatusCode::OK
    );
    let (status, _) = reader
        .send(
            reqwest::Method::POST,
            "/touchpoints",
            &touch(first, "demo", today),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
on_both_databases!(
    deal_records,
    deals_and_touchpoints_flow_through_the_app_rules
);

/// Concurrent writes queue for SQLite's write lock instead of failing ("database is locked").
async fn concurrent_writes_all_land(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(12, 10, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let key = create_key(&app, &admin, "Parallel", "write").await.secret;
    // Each update reads the deal (and its monthly totals) before it writes: the pattern that
    // deadlocks two SQLite transactions unless each takes the write lock first.
    let requests = (1..=10).map(|id| {
        let request = app
            .client
            .patch(app.url(&format!("/api/v1/deals/{id}")))
            .bearer_auth(&key)
            .json(&json!({ "name": format!("Renamed deal {id}") }));
        async move { request.send().await.unwrap().status() }
    });
    let statuses = futures_join_all(requests).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
}
on_both_databases!(concurrency, concurrent_writes_all_land);

/// Runs the futures at once (tasks on the test runtime).
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<StatusCode>
where
    F: std::future::Future<Output = StatusCode> + Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}
