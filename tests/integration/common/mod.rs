//! Test harness: fresh databases (a SQLite file, or a new PostgreSQL database) and the real app
//! served on a random port.

#![allow(dead_code)]

use std::net::SocketAddr;

use backend::Backend;
use backend::crm::Crm;
use backend::database;
use partner_attribution::domain::attribution::form::SettingsForm;
use partner_attribution::server::config::{Config, EMBEDDED_LEPTOS_TOML};
use partner_attribution::server::http;
use partner_attribution::server::state::AppState;
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// A database that exists only for one test.
pub struct TestDb {
    pub url: String,
    // Keeps the SQLite folder alive for the test's duration.
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        TestDb {
            url,
            _dir: Some(dir),
        }
    }

    /// A new, empty database in the PostgreSQL server named by `TEST_DATABASE_URL`. `None` when
    /// that is unset, unless `REQUIRE_POSTGRES` is set (as the test command does): then it fails.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(server) = std::env::var("TEST_DATABASE_URL") else {
            assert!(
                std::env::var_os("REQUIRE_POSTGRES").is_none(),
                "REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
            );
            eprintln!("TEST_DATABASE_URL not set: skipping the PostgreSQL variant");
            return None;
        };
        let admin = database::connect(&server)
            .await
            .expect("connect to TEST_DATABASE_URL");
        let name = format!("pa_test_{}", uuid_like());
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        let base = server
            .rsplit_once('/')
            .map_or(server.as_str(), |(base, _)| base);
        Some(TestDb {
            url: format!("{base}/{name}"),
            _dir: None,
        })
    }

    pub async fn migrated(&self) -> DatabaseConnection {
        database::connect_and_migrate(&self.url)
            .await
            .expect("migrate")
    }
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}_{}_{}", std::process::id(), nanos % 1_000_000_000, n)
}

/// Longer than any request of the suite takes, so a response that stalls fails its test instead of
/// holding up the whole run.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The app, served on 127.0.0.1 with a random port, until the test ends.
pub struct TestApp {
    pub addr: SocketAddr,
    pub db: DatabaseConnection,
    pub client: reqwest::Client,
    /// What the server runs on (database, settings, CRM key), for running its workers in a test.
    pub backend: Backend,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

impl TestApp {
    pub async fn spawn(db: DatabaseConnection) -> TestApp {
        TestApp::spawn_with(db, |_| {}).await
    }

    /// Like `spawn`, with the shipped settings adjusted first (for example the rate limits).
    pub async fn spawn_with(db: DatabaseConnection, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config::from_text(EMBEDDED_LEPTOS_TOML, |_| None).expect("config");
        adjust(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Where it listens, as `serve` would: links start there when no public URL is set.
        config.leptos.site_addr = addr;
        let state = AppState::new(config.leptos, db.clone(), config.auth, true)
            .with_webhooks(config.webhooks)
            .with_crm(Crm::ephemeral(config.crm))
            .with_metrics_token(config.metrics_token);
        let backend = state.backend.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(http::serve(listener, http::router(state), async {
            let _ = rx.await;
        }));
        TestApp {
            addr,
            db,
            backend,
            client: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .build()
                .expect("client"),
            _shutdown: tx,
        }
    }

    /// A browser-like client: it keeps cookies.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("client")
    }

    /// POSTs a server function with form fields, as the app's own pages do.
    pub async fn call(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// A client signed in as `email` (password `password`); panics when sign-in fails.
    pub async fn signed_in(&self, email: &str, password: &str) -> reqwest::Client {
        let client = self.browser();
        let response = self
            .call(
                &client,
                "/api/auth/sign-in",
                &[("email", email), ("password", password)],
            )
            .await;
        let status = response.status();
        assert_eq!(
            status,
            200,
            "sign-in as {email}: {}",
            response.text().await.unwrap_or_default()
        );
        client
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// Defines `<name>_sqlite` and `<name>_postgres` tests running the same body on each back end.
/// The body is an async fn taking the `TestDb`.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident, $body:path) => {
        mod $name {
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                $body(common::TestDb::sqlite()).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(db) = common::TestDb::postgres().await {
                    $body(db).await;
                }
            }
        }
    };
}

/// The form as url-encoded fields, as the page sends it.
pub fn settings_fields(form: &SettingsForm) -> Vec<(String, String)> {
    let mut out = vec![
        ("form[payable_model]".to_owned(), form.payable_model.clone()),
        (
            "form[half_life_days]".to_owned(),
            form.half_life_days.clone(),
        ),
        ("form[time_zone]".to_owned(), form.time_zone.clone()),
    ];
    for (kind, weight) in &form.role_weights {
        out.push((format!("form[role_weights][{kind}]"), weight.clone()));
    }
    for (model, slots) in &form.slots {
        for (slot, weight) in slots {
            out.push((format!("form[slots][{model}][{slot}]"), weight.clone()));
        }
    }
    out
}
