//! CSV import on both databases, over the app's server functions: preview with a guessed mapping,
//! partners / deals / touchpoints written by the worker through the app's services, bad rows
//! reported by line, a second run of the same file changing nothing, all-or-nothing writing
//! nothing when one row is bad, the mapping remembered, cancelling, and who may import.

use crate::common;

use std::sync::Arc;

use backend::demo;
use backend::entities::{audit_events, deals, partners, touchpoints};
use chrono::Utc;
use partner_attribution::api::imports::{ImportDetail, ImportPreview, MAX_FILE_BYTES, Uploaded};
use partner_attribution::domain::import::ImportStatus;
use partner_attribution::domain::job::{JobKind, JobStatus};
use partner_attribution::domain::partner::{PartnerTier, PartnerType};
use partner_attribution::domain::payout::PayoutStatus;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const ADMIN: &str = "admin@northwind.example";

const PARTNERS_CSV: &str = "\
Partner ID,Company,Type,Tier,Commission %,E-mail
CRM-P1,Harbor Analytics,Referral,Gold,12.5%,ops@harbor.example
CRM-P2,Summit Resellers,reseller,platinum,20,
CRM-P3,Broken Tier Ltd,agency,diamond,10,
";

const DEALS_CSV: &str = "\
Opportunity ID,Opportunity,Account,Value,Currency,Stage
OPP-1,Harbor expansion,Acme Corp,\"48,000\",USD,Closed Won
OPP-2,Summit pilot,Globex,12000.50,USD,open
";

async fn post_json(
    app: &common::TestApp,
    client: &reqwest::Client,
    path: &str,
    body: Value,
) -> reqwest::Response {
    client
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .expect("request")
}

/// Sends a file as the import page does: the body is the file itself.
async fn upload(
    app: &common::TestApp,
    client: &reqwest::Client,
    name: &str,
    content: impl Into<reqwest::Body>,
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/imports/upload?name={name}")))
        .header("content-type", "text/csv")
        .body(content)
        .send()
        .await
        .expect("upload")
}

async fn uploaded(app: &common::TestApp, client: &reqwest::Client, content: &str) -> i64 {
    named_upload(app, client, "import.csv", content).await
}

async fn named_upload(
    app: &common::TestApp,
    client: &reqwest::Client,
    name: &str,
    content: &str,
) -> i64 {
    let response = upload(app, client, name, content.to_owned()).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let uploaded: Uploaded = response.json().await.unwrap();
    assert_eq!(uploaded.bytes, content.len() as u64);
    uploaded.id
}

async fn preview_upload(
    app: &common::TestApp,
    client: &reqwest::Client,
    upload: i64,
    kind: &str,
) -> reqwest::Response {
    app.call(
        client,
        "/api/imports/preview",
        &[("upload", &upload.to_string()), ("kind", kind)],
    )
    .await
}

async fn preview(
    app: &common::TestApp,
    client: &reqwest::Client,
    kind: &str,
    content: &str,
) -> ImportPreview {
    let id = uploaded(app, client, content).await;
    let response = preview_upload(app, client, id, kind).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

async fn start_upload(
    app: &common::TestApp,
    client: &reqwest::Client,
    upload: i64,
    kind: &str,
    mode: &str,
    mapping: &Value,
) -> reqwest::Response {
    post_json(
        app,
        client,
        "/api/imports/start",
        json!({ "upload": upload, "kind": kind, "mode": mode, "mapping": mapping }),
    )
    .await
}

async fn start(
    app: &common::TestApp,
    client: &reqwest::Client,
    kind: &str,
    mode: &str,
    content: &str,
    mapping: &Value,
) -> reqwest::Response {
    let id = named_upload(app, client, &format!("{kind}.csv"), content).await;
    start_upload(app, client, id, kind, mode, mapping).await
}

/// Starts an import with the preview's mapping and runs the worker until the queue is empty.
async fn import(
    app: &common::TestApp,
    client: &reqwest::Client,
    kind: &str,
    mode: &str,
    content: &str,
) -> ImportDetail {
    let offered = preview(app, client, kind, content).await;
    let mapping = serde_json::to_value(&offered.mapping).unwrap();
    let response = start(app, client, kind, mode, content, &mapping).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let id: i64 = response.json().await.unwrap();
    drain(app).await;
    detail(app, client, id).await
}

async fn drain(app: &common::TestApp) {
    while backend::jobs::run_next(&app.backend, JobKind::Import)
        .await
        .expect("worker")
    {}
}

async fn detail(app: &common::TestApp, client: &reqwest::Client, id: i64) -> ImportDetail {
    let response = app
        .call(client, "/api/imports/get", &[("id", &id.to_string())])
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn count_touches(db: &sea_orm::DatabaseConnection) -> u64 {
    touchpoints::Entity::find().count(db).await.unwrap()
}

async fn imports_flow(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(41, 8, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;

    // Preview: columns matched by their names, the bad tier found on its line.
    let offered = preview(&app, &admin, "partners", PARTNERS_CSV).await;
    assert_eq!(offered.total_rows, 3);
    assert_eq!(offered.mapping["external_id"], "Partner ID");
    assert_eq!(offered.mapping["name"], "Company");
    assert_eq!(offered.mapping["commission_rate"], "Commission %");
    assert_eq!(offered.mapping["contact_email"], "E-mail");
    assert!(
        offered.rows[0].errors.is_empty(),
        "{:?}",
        offered.rows[0].errors
    );
    let bad = &offered.rows[2];
    assert_eq!(bad.line, 4);
    assert_eq!(bad.errors.len(), 1);
    assert_eq!(bad.errors[0].field, "tier");

    // A file far larger than an ordinary request body is read whole.
    let mut big = String::from("Partner ID,Company,Type,Tier,Commission %\n");
    for i in 0..60_000 {
        big.push_str(&format!("BULK-{i},Bulk Partner {i},referral,silver,7.5\n"));
    }
    assert!(big.len() > 2 * 1024 * 1024);
    assert_eq!(
        preview(&app, &admin, "partners", &big).await.total_rows,
        60_000
    );

    // Valid rows only: two partners, the third reported by line.
    let done = import(&app, &admin, "partners", "valid_only", PARTNERS_CSV).await;
    assert_eq!(done.import.status, ImportStatus::Done);
    assert_eq!(
        (
            done.import.created_rows,
            done.import.failed_rows,
            done.import.processed_rows
        ),
        (2, 1, 3)
    );
    assert_eq!(done.import.percent(), 100);
    assert_eq!(done.error_count, 1);
    assert_eq!(
        (done.errors[0].line, done.errors[0].field.as_str()),
        (4, "tier")
    );
    // Every bad row downloads as CSV, formula-like text defused.
    let errors_csv = format!("/api/imports/{}/errors.csv", done.import.id);
    let download = admin.get(app.url(&errors_csv)).send().await.unwrap();
    assert_eq!(download.status(), 200);
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("partners-errors.csv")
    );
    let text = download.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0], "line,field,problem");
    assert!(
        lines[1].starts_with("4,tier,") && lines[1].contains("diamond"),
        "{text}"
    );
    let harbor = partners::Entity::find()
        .filter(partners::Column::ExternalId.eq("CRM-P1"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("imported partner");
    assert_eq!(harbor.name, "Harbor Analytics");
    assert_eq!(harbor.partner_type, PartnerType::Referral);
    assert_eq!(harbor.tier, PartnerTier::Gold);
    let created_audit = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("partner.created"))
        .filter(audit_events::Column::EntityId.eq(harbor.id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the import's partner is audited");
    assert_eq!(
        created_audit.actor_label, ADMIN,
        "as the admin who imported"
    );

    // The same file again changes nothing; a changed cell updates its partner.
    let again = import(&app, &admin, "partners", "valid_only", PARTNERS_CSV).await;
    assert_eq!(
        (
            again.import.created_rows,
            again.import.updated_rows,
            again.import.unchanged_rows
        ),
        (0, 0, 2)
    );
    let changed = PARTNERS_CSV.replace("Referral,Gold", "Referral,Platinum");
    let changed = import(&app, &admin, "partners", "valid_only", &changed).await;
    assert_eq!(
        (changed.import.updated_rows, changed.import.unchanged_rows),
        (1, 1)
    );

    // Deals: a won one is closed (and attributed) as the app would.
    let deals_done = import(&app, &admin, "deals", "valid_only", DEALS_CSV).await;
    assert_eq!(deals_done.import.created_rows, 2, "{:?}", deals_done.errors);
    let won = deals::Entity::find()
        .filter(deals::Column::ExternalId.eq("OPP-1"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((won.stage.0.as_str(), won.amount_minor), ("won", 4_800_000));
    let deals_again = import(&app, &admin, "deals", "valid_only", DEALS_CSV).await;
    assert_eq!(
        deals_again.import.unchanged_rows, 2,
        "{:?}",
        deals_again.errors
    );

    // Touches name their deal by external id and their partner by id or name.
    let touches_before = count_touches(&app.db).await;
    let touches = "\
Deal ID,Partner,Touch type,Date,Notes
OPP-2,CRM-P1,Referral,2026-01-05,Intro call
OPP-2,Summit Resellers,co-sell,2026-01-20,
OPP-404,CRM-P1,demo,2026-01-21,
";
    let all_or_nothing = import(&app, &admin, "touchpoints", "all_or_nothing", touches).await;
    assert_eq!(all_or_nothing.import.status, ImportStatus::Failed);
    assert!(
        all_or_nothing
            .import
            .failure
            .as_deref()
            .unwrap()
            .contains("nothing was imported")
    );
    assert_eq!(
        (
            all_or_nothing.errors[0].line,
            all_or_nothing.errors[0].field.as_str()
        ),
        (4, "deal")
    );
    assert_eq!(
        count_touches(&app.db).await,
        touches_before,
        "nothing written"
    );

    let valid_only = import(&app, &admin, "touchpoints", "valid_only", touches).await;
    assert_eq!(
        (
            valid_only.import.created_rows,
            valid_only.import.failed_rows
        ),
        (2, 1)
    );
    assert!(valid_only.errors[0].message.contains("OPP-404"));
    assert_eq!(count_touches(&app.db).await, touches_before + 2);
    let repeated = import(&app, &admin, "touchpoints", "valid_only", touches).await;
    assert_eq!(repeated.import.unchanged_rows, 2, "{:?}", repeated.errors);
    assert_eq!(count_touches(&app.db).await, touches_before + 2);

    // A mapping chosen by hand is offered again for the next file with those columns.
    let odd = "Kennung,Firma,Art,Stufe,Satz\nX-1,Odd Names GmbH,agency,silver,5\n";
    let guessed = preview(&app, &admin, "partners", odd).await;
    assert!(!guessed.mapping.contains_key("name"));
    let chosen = json!({
        "external_id": "Kennung", "name": "Firma", "partner_type": "Art",
        "tier": "Stufe", "commission_rate": "Satz",
    });
    let started = start(&app, &admin, "partners", "valid_only", odd, &chosen).await;
    assert_eq!(started.status(), 200);
    let offered = preview(&app, &admin, "partners", odd).await;
    assert_eq!(offered.mapping["name"], "Firma");
    assert_eq!(offered.mapping["tier"], "Stufe");

    // A queued import can be cancelled; the worker then leaves it.
    let id: i64 = started.json().await.unwrap();
    let cancelled = app
        .call(&admin, "/api/imports/cancel", &[("id", &id.to_string())])
        .await;
    assert_eq!(cancelled.status(), 200);
    drain(&app).await;
    let gone = detail(&app, &admin, id).await;
    assert_eq!(gone.import.status, ImportStatus::Cancelled);
    assert_eq!(gone.import.processed_rows, 0);
    let twice = app
        .call(&admin, "/api/imports/cancel", &[("id", &id.to_string())])
        .await;
    assert_eq!(twice.status(), 409);

    // A mapping without a required field is refused by field.
    let refused = start(
        &app,
        &admin,
        "partners",
        "valid_only",
        odd,
        &json!({ "name": "Firma" }),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains("mapping.tier"), "{body}");

    // Who may import: not finance, not a partner user, not another organization's admin.
    for email in [
        "finance@northwind.example",
        "partner@apex-cloud-partners.example",
    ] {
        let user = app.signed_in(email, demo::DEMO_PASSWORD).await;
        let response = upload(&app, &user, "p.csv", PARTNERS_CSV).await;
        assert_eq!(response.status(), 403, "{email}");
        let response = preview_upload(&app, &user, 1, "partners").await;
        assert_eq!(response.status(), 403, "{email}");
        let download = user.get(app.url(&errors_csv)).send().await.unwrap();
        assert_eq!(download.status(), 403, "{email}");
    }
    let outsider = app.browser();
    let signed_up = app
        .call(
            &outsider,
            "/api/auth/sign-up",
            &[
                ("organization", "Elsewhere Inc"),
                ("currency", "USD"),
                ("name", "Olga Other"),
                ("email", "olga@elsewhere.example"),
                ("password", "a long and unusual passphrase 42"),
            ],
        )
        .await;
    assert_eq!(signed_up.status(), 200);
    let foreign = app
        .call(&outsider, "/api/imports/get", &[("id", &id.to_string())])
        .await;
    assert_eq!(foreign.status(), 404);
    let foreign_csv = outsider.get(app.url(&errors_csv)).send().await.unwrap();
    assert_eq!(foreign_csv.status(), 404);
    let listed = app.call(&outsider, "/api/imports/list", &[]).await;
    assert_eq!(listed.json::<Vec<Value>>().await.unwrap().len(), 0);
    let mine = app.call(&admin, "/api/imports/list", &[]).await;
    assert_eq!(mine.json::<Vec<Value>>().await.unwrap().len(), 9);

    // An upload is its uploader's: not another organization's admin's, not a colleague's.
    let own = uploaded(&app, &admin, PARTNERS_CSV).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    for (who, client) in [("outsider", &outsider), ("colleague", &manager)] {
        let response = preview_upload(&app, client, own, "partners").await;
        assert_eq!(response.status(), 404, "{who}");
        let body = response.text().await.unwrap();
        assert!(!body.contains("Harbor"), "{who}: {body}");
        let mapping = json!({ "name": "Company", "tier": "Tier" });
        let response = start_upload(&app, client, own, "partners", "valid_only", &mapping).await;
        assert_eq!(response.status(), 404, "{who}");
    }
    let nobody = upload(&app, &app.browser(), "p.csv", PARTNERS_CSV).await;
    assert_eq!(nobody.status(), 401);
}
on_both_databases!(csv_import_end_to_end, imports_flow);

/// The file comes as the request body, once: refused past the size limit before it is read,
/// refused when it is not UTF-8 text (with its line), started once, and removed after a day
/// when no import starts from it.
async fn uploads_flow(test_db: common::TestDb) {
    use sea_orm::ConnectionTrait;
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(41, 8, Utc::now()))
        .await
        .unwrap();
    let app = common::TestApp::spawn(db).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;

    let over = vec![b'a'; MAX_FILE_BYTES + 1];
    let response = upload(&app, &admin, "big.csv", over).await;
    assert_eq!(response.status(), 413);
    let body = response.text().await.unwrap();
    assert!(body.contains("larger than 50 MB"), "{body}");
    // Streamed without a declared length, it is cut off at the limit too.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..=MAX_FILE_BYTES / (1024 * 1024))
        .map(|_| Ok(vec![b'a'; 1024 * 1024]))
        .collect();
    let stream = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let response = upload(&app, &admin, "stream.csv", stream).await;
    assert_eq!(response.status(), 413);

    let latin1 = b"Partner ID,Company,Type,Tier\nX-1,Caf\xe9 GmbH,agency,gold\n".to_vec();
    let response = upload(&app, &admin, "latin1.csv", latin1).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("Line 2 is not UTF-8"), "{body}");

    // The name is kept (cleaned), the file started once.
    let response = upload(&app, &admin, "Q3%20partners%0A.csv", PARTNERS_CSV).await;
    let kept: Uploaded = response.json().await.unwrap();
    assert_eq!(
        kept.file_name, "import.csv",
        "a control character: the default name"
    );
    let offered: ImportPreview = preview_upload(&app, &admin, kept.id, "partners")
        .await
        .json()
        .await
        .unwrap();
    let mapping = serde_json::to_value(&offered.mapping).unwrap();
    let first = start_upload(&app, &admin, kept.id, "partners", "valid_only", &mapping).await;
    assert_eq!(first.status(), 200);
    let again = start_upload(&app, &admin, kept.id, "partners", "valid_only", &mapping).await;
    assert_eq!(again.status(), 404);
    let named = uploaded(&app, &admin, PARTNERS_CSV).await;
    let response = upload(&app, &admin, "Q3%20partners.csv", PARTNERS_CSV).await;
    assert_eq!(
        response.json::<Uploaded>().await.unwrap().file_name,
        "Q3 partners.csv"
    );

    // A day later an unstarted upload is gone (the next upload sweeps).
    app.db
        .execute_unprepared(&format!(
            "UPDATE import_uploads SET created_at = '2020-01-01T00:00:00Z' WHERE id = {named}"
        ))
        .await
        .unwrap();
    uploaded(&app, &admin, PARTNERS_CSV).await;
    let response = preview_upload(&app, &admin, named, "partners").await;
    assert_eq!(response.status(), 404);
}
on_both_databases!(uploads_are_bounded_and_used_once, uploads_flow);

/// The real server binary on a SQLite file, with webhooks allowed to reach the test's receiver.
struct Server {
    child: std::process::Child,
    url: String,
}

impl Server {
    async fn start(dir: &std::path::Path, database_url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}");
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_partner-attribution"))
            .arg("serve")
            .current_dir(dir)
            .env("LEPTOS_CONFIG", dir.join("Leptos.toml"))
            .env("DATABASE_URL", database_url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", dir)
            .env("PUBLIC_URL", &url)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the server binary starts");
        // Owned at once, so that it is killed and reaped however the test ends.
        let server = Server { child, url };
        let client = reqwest::Client::new();
        for _ in 0..300 {
            let health = format!("{}/healthz", server.url);
            if client.get(health).send().await.is_ok() {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the server did not come up at {}", server.url);
    }

    /// SIGKILL: no shutdown, no flush, whatever it was doing.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let response = client
            .post(format!("{}/api/auth/sign-in", self.url))
            .form(&[("email", email), ("password", demo::DEMO_PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        client
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Receives webhook messages, each taking `delay_ms` (slowly, so a kill finds some in flight),
/// keeping every (message id, body) it was sent.
async fn receiver(delay_ms: u64) -> (String, Arc<std::sync::Mutex<Vec<(String, String)>>>) {
    use axum::http::HeaderMap;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
                let id = headers["webhook-id"].to_str().unwrap().to_owned();
                kept.lock().unwrap().push((id, body));
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

/// The shipped settings in `dir`, with webhooks allowed to loopback and quick to retry, jobs
/// looked for often, and the given job lease (0: each kind's own).
fn write_settings(dir: &std::path::Path, lease_seconds: u32) {
    let shipped =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Leptos.toml")).unwrap();
    let (head, webhooks) = shipped
        .split_once("[partner-attribution.webhooks]")
        .unwrap();
    let webhooks = webhooks
        .replacen(
            "allow-private-targets = false",
            "allow-private-targets = true",
            1,
        )
        .replacen("retry-unit-ms = 1000", "retry-unit-ms = 10", 1)
        .replacen("poll-ms = 500", "poll-ms = 100", 1)
        .replacen(
            "lease-seconds = 0",
            &format!("lease-seconds = {lease_seconds}"),
            1,
        )
        .replacen("timeout-seconds = 10", "timeout-seconds = 2", 1);
    std::fs::write(
        dir.join("Leptos.toml"),
        format!("{head}[partner-attribution.webhooks]{webhooks}"),
    )
    .unwrap();
}

/// Uploads `csv` as a partner file on `server` and starts its import; answers the import's id.
async fn start_partner_import(server: &Server, admin: &reqwest::Client, csv: String) -> i64 {
    let sent: Uploaded = admin
        .post(format!(
            "{}/api/imports/upload?name=partners.csv",
            server.url
        ))
        .body(csv)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offered: ImportPreview = admin
        .post(format!("{}/api/imports/preview", server.url))
        .form(&[
            ("upload", sent.id.to_string().as_str()),
            ("kind", "partners"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let started = admin
        .post(format!("{}/api/imports/start", server.url))
        .json(&json!({
            "upload": sent.id, "kind": "partners", "mode": "valid_only",
            "mapping": offered.mapping,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 200, "{}", started.text().await.unwrap());
    started.json().await.unwrap()
}

/// Subscribes an endpoint at `url` to `event` through `server`; answers its id.
async fn subscribe(server: &Server, admin: &reqwest::Client, url: &str, event: &str) -> i64 {
    let saved = admin
        .post(format!("{}/api/webhooks/save", server.url))
        .form(&[("form[url]", url), ("form[events][0]", event)])
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
    saved.json().await.unwrap()
}

/// How many partners with external ids starting `<prefix>-` the audit log says were created.
async fn partners_created(db: &sea_orm::DatabaseConnection, prefix: &str) -> u64 {
    let needle = format!("{prefix}-");
    audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("partner.created"))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.after.as_deref().is_some_and(|a| a.contains(&needle)))
        .count() as u64
}

/// A partner file of `rows` rows, external ids `<prefix>-0`, `<prefix>-1`, ...
fn partner_file(prefix: &str, rows: u64) -> String {
    let mut csv = String::from("Partner ID,Company,Type,Tier,Commission %\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "{prefix}-{i},{prefix} Test Partner {i},referral,gold,10\n"
        ));
    }
    csv
}

/// A server killed with SIGKILL in the middle of an import, a bulk mark-paid and webhook
/// deliveries, then started again on the same database: the import finishes with every row
/// once, every approved payout is paid once (the retried bulk request changes nothing twice),
/// and every payout.paid message reaches the receiver (redelivered with its own id at most).
#[tokio::test]
async fn a_killed_server_loses_nothing_and_applies_nothing_twice() {
    use backend::entities::payouts;
    use partner_attribution::api::payouts::BulkResult;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crash.db");
    let database_url = format!("sqlite://{}?mode=rwc", file.display());
    {
        let db = backend::database::connect_and_migrate(&database_url)
            .await
            .unwrap();
        demo::load(&db, &demo::generate(71, 400, Utc::now()))
            .await
            .unwrap();
    }
    write_settings(dir.path(), 0);
    let db = backend::database::connect(&database_url).await.unwrap();
    let approved: Vec<i64> = payouts::Entity::find()
        .filter(payouts::Column::Status.eq("approved"))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    assert!(approved.len() >= 5, "{} approved", approved.len());

    let (hook_url, received) = receiver(300).await;
    let server = Server::start(dir.path(), &database_url).await;
    let admin = server.signed_in(ADMIN).await;
    subscribe(&server, &admin, &hook_url, "payout.paid").await;

    // An import large enough to be cut off half-way.
    let rows = 2_500;
    let import_id = start_partner_import(&server, &admin, partner_file("CRASH", rows)).await;

    // Everything approved, marked paid in one request; what a client retries after a crash.
    let today = Utc::now().date_naive().to_string();
    let pay = vec![
        ("selection[all_matching]".to_owned(), "true".to_owned()),
        (
            "selection[filter][status]".to_owned(),
            "approved".to_owned(),
        ),
        ("form[verb]".to_owned(), "mark_paid".to_owned()),
        ("form[reference]".to_owned(), "CRASH-1".to_owned()),
        ("form[paid_on]".to_owned(), today),
        ("idempotency_key".to_owned(), "crash-pay-1".to_owned()),
    ];
    let first_try = {
        let (admin, url, pay) = (admin.clone(), server.url.clone(), pay.clone());
        tokio::spawn(async move {
            admin
                .post(format!("{url}/api/payouts/bulk"))
                .form(&pay)
                .send()
                .await
        })
    };

    // Kill while the import runs and a delivery is (or deliveries are) still to come.
    let progress = || async {
        let import = backend::entities::imports::Entity::find_by_id(import_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        import.processed_rows as u64
    };
    for _ in 0..600 {
        let delivered = received.lock().unwrap().len();
        if progress().await > 0 && delivered >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let at_kill = progress().await;
    server.kill();
    let _ = first_try.await;
    let delivered_at_kill = received.lock().unwrap().len();
    assert!(
        at_kill > 0 && at_kill < rows,
        "killed at {at_kill} of {rows} rows"
    );
    assert!(
        delivered_at_kill < approved.len(),
        "killed before every delivery"
    );

    // Started again: the client retries its request with the same key.
    let server = Server::start(dir.path(), &database_url).await;
    let admin = server.signed_in(ADMIN).await;
    let retried: BulkResult = admin
        .post(format!("{}/api/payouts/bulk", server.url))
        .form(&pay)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        retried.replayed || retried.succeeded == approved.len() as u64,
        "{retried:?}"
    );

    // The import resumes once its lease has run out, and deliveries once theirs has.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
    loop {
        let import = backend::entities::imports::Entity::find_by_id(import_id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        let ids: std::collections::BTreeSet<String> = received
            .lock()
            .unwrap()
            .iter()
            .map(|(id, _)| id.clone())
            .collect();
        if import.status == ImportStatus::Done && ids.len() == approved.len() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "import {} at {} rows, {} of {} messages",
            import.status,
            import.processed_rows,
            ids.len(),
            approved.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    server.kill();

    // Every row once: one partner per external id, created once.
    let imported = partners::Entity::find()
        .filter(partners::Column::ExternalId.starts_with("CRASH-"))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(imported, rows);
    assert_eq!(
        partners_created(&db, "CRASH").await,
        rows,
        "each row created its partner once"
    );
    // Every approved payout paid once, by the one batch.
    let paid = payouts::Entity::find()
        .filter(payouts::Column::Id.is_in(approved.clone()))
        .all(&db)
        .await
        .unwrap();
    assert!(
        paid.iter()
            .all(|p| p.status == PayoutStatus::Paid && p.batch_id.as_deref() == Some("crash-pay-1"))
    );
    for id in &approved {
        let events = audit_events::Entity::find()
            .filter(audit_events::Column::Action.eq("payout.paid"))
            .filter(audit_events::Column::EntityId.eq(*id))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(events, 1, "payout {id} paid once");
    }
    // Every message arrived; one redelivered after the kill carries its own id and the same body.
    let received = received.lock().unwrap().clone();
    let mut bodies = std::collections::BTreeMap::new();
    for (id, body) in &received {
        assert_eq!(bodies.entry(id.clone()).or_insert(body.clone()), body);
    }
    assert_eq!(bodies.len(), approved.len());
}

/// Waits (up to `seconds`) until `done` holds, saying what it waited for when it never does.
async fn wait_until<F, Fut>(seconds: u64, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while !done().await {
        assert!(
            std::time::Instant::now() < deadline,
            "waited in vain: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Two server processes on one PostgreSQL database share the job queue: 50 webhook messages
/// (raised by an import of 50 partners) each reach the receiver exactly once and the import
/// finishes once; then one server is killed with SIGKILL in the middle of a large import, and
/// the other takes it up once its lease has run out and finishes it, every row once.
#[tokio::test]
async fn two_servers_on_one_postgres_share_the_jobs_and_run_none_twice() {
    use backend::entities::{imports, jobs};

    let Some(test_db) = common::TestDb::postgres().await else {
        return;
    };
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(72, 60, Utc::now()))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A short lease, so the takeover after the kill comes soon.
    write_settings(dir.path(), 3);
    let (hook_url, received) = receiver(20).await;
    let one = Server::start(dir.path(), &test_db.url).await;
    let two = Server::start(dir.path(), &test_db.url).await;
    let admin_one = one.signed_in(ADMIN).await;
    let admin_two = two.signed_in(ADMIN).await;
    let endpoint = subscribe(&one, &admin_one, &hook_url, "partner.created").await;

    // 50 partners, so 50 messages, queued through the second server.
    let messages = 50;
    let first = start_partner_import(&two, &admin_two, partner_file("SHARED", messages)).await;
    let import = |id: i64| {
        let db = db.clone();
        async move {
            imports::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    wait_until(120, "the first import and its 50 messages", || async {
        import(first).await.status == ImportStatus::Done
            && received.lock().unwrap().len() >= messages as usize
    })
    .await;
    // Time for a second send of any message, were one to happen.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let sent = received.lock().unwrap().clone();
    let mut per_message = std::collections::BTreeMap::<String, u32>::new();
    for (id, _) in &sent {
        *per_message.entry(id.clone()).or_default() += 1;
    }
    assert_eq!(
        per_message.len(),
        messages as usize,
        "one message per partner"
    );
    assert!(
        per_message.values().all(|&n| n == 1),
        "each delivered exactly once: {per_message:?}"
    );
    let finished = import(first).await;
    assert_eq!(
        (finished.processed_rows, finished.created_rows),
        (messages as i64, messages as i64)
    );
    // Run once, by one server, with no second claim.
    let first_job = jobs::Entity::find()
        .filter(jobs::Column::Kind.eq(JobKind::Import.as_str()))
        .filter(jobs::Column::SubjectId.eq(first))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (first_job.status.0, first_job.attempts),
        (JobStatus::Done, 1)
    );
    let delivery_jobs = jobs::Entity::find()
        .filter(jobs::Column::Kind.eq(JobKind::WebhookDelivery.as_str()))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(delivery_jobs.len(), messages as usize);
    assert!(delivery_jobs.iter().all(|j| j.status == JobStatus::Done));
    let runners: std::collections::BTreeSet<_> = delivery_jobs
        .iter()
        .filter_map(|j| j.leased_by.clone())
        .collect();
    eprintln!("deliveries sent by {} servers", runners.len());

    // No more messages for the large import.
    let off = admin_one
        .post(format!("{}/api/webhooks/enable", one.url))
        .form(&[("id", endpoint.to_string().as_str()), ("enabled", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 200);

    // A large import; the server running it is killed half-way.
    let rows = 3_000;
    let second = start_partner_import(&one, &admin_one, partner_file("TAKEOVER", rows)).await;
    let job_of = |id: i64| {
        let db = db.clone();
        async move {
            jobs::Entity::find()
                .filter(jobs::Column::Kind.eq(JobKind::Import.as_str()))
                .filter(jobs::Column::SubjectId.eq(id))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    wait_until(120, "the large import under way", || async {
        import(second).await.processed_rows > 0
    })
    .await;
    let holder = job_of(second)
        .await
        .leased_by
        .expect("a running job has a holder");
    let pid: u32 = holder.split('/').nth(1).unwrap().parse().unwrap();
    let (killed, survivor) = if one.child.id() == pid {
        (one, two)
    } else {
        assert_eq!(two.child.id(), pid, "the holder {holder} is one of the two");
        (two, one)
    };
    let at_kill = import(second).await.processed_rows as u64;
    killed.kill();
    assert!(at_kill < rows, "killed at {at_kill} of {rows} rows");

    wait_until(
        240,
        "the large import finished by the other server",
        || async { import(second).await.status == ImportStatus::Done },
    )
    .await;
    let taken_over = job_of(second).await;
    assert_eq!(taken_over.status, JobStatus::Done);
    assert_ne!(taken_over.leased_by.as_deref(), Some(holder.as_str()));
    assert_eq!(taken_over.attempts, 2, "claimed once by each server");
    let done = import(second).await;
    assert_eq!(done.processed_rows, rows as i64, "every row counted once");
    assert_eq!(
        done.created_rows + done.updated_rows + done.unchanged_rows,
        rows as i64
    );
    let imported = partners::Entity::find()
        .filter(partners::Column::ExternalId.starts_with("TAKEOVER-"))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(imported, rows);
    assert_eq!(
        partners_created(&db, "TAKEOVER").await,
        rows,
        "each row created its partner once"
    );
    drop(survivor);
}
