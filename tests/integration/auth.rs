//! Accounts over HTTP against the real server: sign-up, sign-in and its rate limits, session
//! rotation and cookies, invitations and password resets through the outbox, role changes and
//! deactivation, cross-site refusal, and the audit trail of all of it.

use crate::common;

use std::collections::BTreeSet;

use backend::demo;
use backend::entities::{audit_events, auth_tokens, sessions};
use chrono::{Duration, Utc};
use partner_attribution::api::AppError;
use partner_attribution::api::auth::SessionUser;
use partner_attribution::api::users::{Invitation, OutboxMessage};
use partner_attribution::domain::user::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

const ADMIN: &str = "admin@northwind.example";
const FINANCE: &str = "finance@northwind.example";
const STRONG: &str = "amber-tundra-signal-64";

async fn demo_app(test_db: &common::TestDb) -> common::TestApp {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(5, 40, Utc::now()))
        .await
        .expect("demo data");
    common::TestApp::spawn(db).await
}

async fn error_of(response: reqwest::Response) -> AppError {
    serde_json::from_slice(&response.bytes().await.unwrap()).expect("AppError JSON")
}

fn field_message(error: &AppError, field: &str) -> Option<String> {
    match error {
        AppError::Invalid { fields, .. } => fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.clone()),
        _ => None,
    }
}

async fn audit_actions(app: &common::TestApp) -> Vec<String> {
    audit_events::Entity::find()
        .order_by_asc(audit_events::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("pa_session="))
        .map(str::to_owned)
}

async fn sign_in_response(
    app: &common::TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
    remember: bool,
) -> reqwest::Response {
    let mut form = vec![("email", email), ("password", password)];
    if remember {
        form.push(("remember", "on"));
    }
    app.call(client, "/api/auth/sign-in", &form).await
}

async fn sign_in_rules(test_db: common::TestDb) {
    let app = demo_app(&test_db).await;
    let client = app.browser();

    // The same answer for an unknown email and a wrong password.
    let unknown = error_of(
        sign_in_response(&app, &client, "nobody@northwind.example", "demo1234", false).await,
    )
    .await;
    let wrong = error_of(sign_in_response(&app, &client, ADMIN, "not-it", false).await).await;
    assert_eq!(unknown, wrong);
    assert_eq!(
        field_message(&wrong, "password").as_deref(),
        Some("The email or password is incorrect.")
    );
    let malformed = error_of(sign_in_response(&app, &client, "admin", "x", false).await).await;
    assert!(field_message(&malformed, "email").is_some());

    // A session cookie that ends with the browser; HttpOnly, SameSite=Lax, not Secure over http.
    let response = sign_in_response(&app, &client, ADMIN, demo::DEMO_PASSWORD, false).await;
    assert_eq!(response.status(), 200);
    let cookie = session_cookie(&response).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(
        !cookie.contains("Max-Age") && !cookie.contains("Expires"),
        "{cookie}"
    );
    let user: SessionUser = response.json().await.unwrap();
    assert_eq!(user.role, Role::Admin);
    assert_eq!(user.organization_name, "Northwind Cloud");

    // Signing in again (here as someone else) issues a new session id and removes the old one.
    let first_id = cookie
        .trim_start_matches("pa_session=")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let response = sign_in_response(&app, &client, FINANCE, demo::DEMO_PASSWORD, true).await;
    let remembered = session_cookie(&response).expect("a new session cookie");
    assert!(remembered.contains("Max-Age") || remembered.contains("Expires"));
    assert!(!remembered.starts_with(&format!("pa_session={first_id};")));
    assert!(
        sessions::Entity::find_by_id(first_id)
            .one(&app.db)
            .await
            .unwrap()
            .is_none(),
        "the pre-sign-in session is gone"
    );
    assert_eq!(
        app.call(&client, "/api/users/list", &[]).await.status(),
        403,
        "finance may not list users"
    );

    // Signing out ends the session.
    assert_eq!(
        app.call(&client, "/api/auth/sign-out", &[]).await.status(),
        200
    );
    assert_eq!(
        app.call(&client, "/api/dashboard/summary", &[])
            .await
            .status(),
        401
    );

    let actions = audit_actions(&app).await;
    for expected in ["user.sign_in_failed", "user.signed_in", "user.signed_out"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
}
on_both_databases!(sign_in_is_uniform_rotates_and_is_audited, sign_in_rules);

async fn rate_limits(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(5, 40, Utc::now()))
        .await
        .expect("demo data");
    // A slow refill (one attempt per 5 s), so a loaded machine hashing slowly cannot earn the
    // address new attempts as fast as the test spends them.
    let app = common::TestApp::spawn_with(db, |config| {
        config.auth.limits.attempts_per_ip_per_minute = 12;
    })
    .await;
    let client = app.browser();
    for _ in 0..5 {
        let response = sign_in_response(&app, &client, FINANCE, "guess", false).await;
        assert_eq!(response.status(), 422);
    }
    let locked = sign_in_response(&app, &client, FINANCE, "guess", false).await;
    assert_eq!(locked.status(), 429);
    // Locked even with the right password, with a clear message.
    let locked = sign_in_response(&app, &client, FINANCE, demo::DEMO_PASSWORD, false).await;
    assert_eq!(locked.status(), 429);
    let header: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    match error_of(locked).await {
        AppError::RateLimited {
            message,
            retry_after_seconds,
        } => {
            assert!(message.contains("Too many failed sign-ins"), "{message}");
            assert!(retry_after_seconds >= 1);
            assert_eq!(
                header, retry_after_seconds,
                "the header says what the body says"
            );
        }
        other => panic!("{other:?}"),
    }
    // Other accounts are unaffected.
    app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;

    // One address may not try endlessly, whatever the account.
    let mut statuses = Vec::new();
    for i in 0..40 {
        let email = format!("someone{i}@northwind.example");
        statuses.push(
            sign_in_response(&app, &client, &email, "x", false)
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");
}
on_both_databases!(sign_in_is_rate_limited_per_account_and_address, rate_limits);

async fn sign_up_rules(test_db: common::TestDb) {
    let app = common::TestApp::spawn(test_db.migrated().await).await;
    let client = app.browser();
    let form = |email: &'static str, password: &'static str| {
        [
            ("organization", "Blue Harbor Ltd"),
            ("currency", "GBP"),
            ("name", "Bo Harbor"),
            ("email", email),
            ("password", password),
        ]
    };
    let weak = error_of(
        app.call(
            &client,
            "/api/auth/sign-up",
            &form("bo@blue-harbor.example", "password123"),
        )
        .await,
    )
    .await;
    assert!(
        field_message(&weak, "password")
            .unwrap()
            .contains("too easy to guess")
    );
    let personal = error_of(
        app.call(
            &client,
            "/api/auth/sign-up",
            &form("bo@blue-harbor.example", "blueharborltd"),
        )
        .await,
    )
    .await;
    assert!(field_message(&personal, "password").is_some());

    let created = app
        .call(
            &client,
            "/api/auth/sign-up",
            &form("Bo@Blue-Harbor.example", STRONG),
        )
        .await;
    assert_eq!(created.status(), 200);
    let admin: SessionUser = created.json().await.unwrap();
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(
        admin.email, "bo@blue-harbor.example",
        "emails are normalized"
    );

    let again = error_of(
        app.call(
            &app.browser(),
            "/api/auth/sign-up",
            &form("bo@blue-harbor.example", STRONG),
        )
        .await,
    )
    .await;
    assert!(
        field_message(&again, "email")
            .unwrap()
            .contains("already exists")
    );
    let actions = audit_actions(&app).await;
    assert_eq!(actions, ["organization.created", "user.created"]);
}
on_both_databases!(sign_up_creates_an_organization_and_its_admin, sign_up_rules);

async fn invitation_flow(test_db: common::TestDb) {
    let app = demo_app(&test_db).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;

    // A partner user must name a partner of this organization.
    let missing = error_of(
        app.call(
            &admin,
            "/api/users/invite",
            &[("email", "pat@partner.example"), ("role", "partner")],
        )
        .await,
    )
    .await;
    assert!(field_message(&missing, "partner_id").is_some());

    let response = app
        .call(
            &admin,
            "/api/users/invite",
            &[
                ("email", "pat@partner.example"),
                ("role", "partner"),
                ("partner_id", "1"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let invitation: Invitation = response.json().await.unwrap();
    let token = invitation.link.rsplit('/').next().unwrap().to_owned();

    // The outbox holds the message with the same link; the database holds only a digest.
    let outbox: Vec<OutboxMessage> = app
        .call(&admin, "/api/users/outbox", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(outbox[0].recipient, "pat@partner.example");
    assert_eq!(outbox[0].link.as_deref(), Some(invitation.link.as_str()));
    let stored = auth_tokens::Entity::find()
        .order_by_desc(auth_tokens::Column::Id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.token_hash, token);

    // Accepting: a weak password is refused and the link stays usable.
    let visitor = app.browser();
    let weak = app
        .call(
            &visitor,
            "/api/auth/accept-invitation",
            &[
                ("token", &token),
                ("name", "Pat"),
                ("password", "qwerty123"),
            ],
        )
        .await;
    assert_eq!(weak.status(), 422);
    let joined = app
        .call(
            &visitor,
            "/api/auth/accept-invitation",
            &[
                ("token", &token),
                ("name", "Pat Partner"),
                ("password", STRONG),
            ],
        )
        .await;
    assert_eq!(joined.status(), 200);
    let pat: SessionUser = joined.json().await.unwrap();
    assert_eq!(pat.role, Role::Partner);
    assert!(pat.partner_id.is_some() && pat.partner_name.is_some());
    // A partner user reaches no workspace data.
    assert_eq!(
        app.call(&visitor, "/api/dashboard/summary", &[])
            .await
            .status(),
        403
    );

    // Single use.
    let reuse = app
        .call(
            &app.browser(),
            "/api/auth/accept-invitation",
            &[("token", &token), ("name", "Mallory"), ("password", STRONG)],
        )
        .await;
    assert_eq!(reuse.status(), 409);

    // Expired links are refused too.
    let later = app
        .call(
            &admin,
            "/api/users/invite",
            &[("email", "late@northwind.example"), ("role", "executive")],
        )
        .await
        .json::<Invitation>()
        .await
        .unwrap();
    let late_token = later.link.rsplit('/').next().unwrap().to_owned();
    auth_tokens::Entity::update_many()
        .col_expr(
            auth_tokens::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .filter(auth_tokens::Column::Email.eq("late@northwind.example"))
        .exec(&app.db)
        .await
        .unwrap();
    let expired = app
        .call(&app.browser(), "/api/auth/link", &[("token", &late_token)])
        .await;
    assert_eq!(expired.status(), 409);

    let actions = audit_actions(&app).await;
    assert!(actions.iter().filter(|a| *a == "user.invited").count() == 2);
    assert!(actions.iter().any(|a| a == "user.invitation_accepted"));
}
on_both_databases!(invitations_are_single_use_and_expire, invitation_flow);

async fn password_reset_flow(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    demo::load(&db, &demo::generate(5, 40, Utc::now()))
        .await
        .expect("demo data");
    let site = "http://partners.northwind.example";
    let app = common::TestApp::spawn_with(db, |config| config.auth.public_url = site.into()).await;
    let elsewhere = app.signed_in(FINANCE, demo::DEMO_PASSWORD).await;

    // Asked for with a forged Host, the link still starts with the configured address: the
    // one-time token never travels to the host a request names.
    let anyone = app.browser();
    for email in [FINANCE, "nobody@northwind.example"] {
        let response = anyone
            .post(app.url("/api/auth/forgot-password"))
            .header("host", "evil.example")
            .form(&[("email", email)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "same answer for {email}");
    }
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let outbox: Vec<OutboxMessage> = app
        .call(&admin, "/api/users/outbox", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(outbox.len(), 1, "only the real account got a link");
    let link = outbox[0].link.clone().unwrap();
    assert!(
        link.starts_with(&format!("{site}/reset-password/")),
        "{link}"
    );
    let token = link.rsplit('/').next().unwrap().to_owned();

    let reset = app
        .call(
            &anyone,
            "/api/auth/reset-password",
            &[("token", &token), ("password", STRONG)],
        )
        .await;
    assert_eq!(reset.status(), 200);

    // The old password no longer works, the new one does, and the other session is over.
    assert_eq!(
        sign_in_response(&app, &app.browser(), FINANCE, demo::DEMO_PASSWORD, false)
            .await
            .status(),
        422
    );
    app.signed_in(FINANCE, STRONG).await;
    assert_eq!(
        app.call(&elsewhere, "/api/dashboard/summary", &[])
            .await
            .status(),
        401
    );
    let outbox: Vec<OutboxMessage> = app
        .call(&admin, "/api/users/outbox", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        outbox[0].link_state,
        Some(partner_attribution::api::users::LinkState::Used)
    );
}
on_both_databases!(password_resets_go_through_the_outbox, password_reset_flow);

async fn role_changes_and_deactivation(test_db: common::TestDb) {
    use backend::entities::users;
    let app = demo_app(&test_db).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let finance_client = app.signed_in(FINANCE, demo::DEMO_PASSWORD).await;
    let finance = users::Entity::find()
        .filter(users::Column::Email.eq(FINANCE))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let admin_row = users::Entity::find()
        .filter(users::Column::Email.eq(ADMIN))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let id = finance.id.to_string();

    // No changing one's own role; no turning staff into partner users.
    let own = app
        .call(
            &admin,
            "/api/users/change-role",
            &[("user_id", &admin_row.id.to_string()), ("role", "finance")],
        )
        .await;
    assert_eq!(own.status(), 409);
    let to_partner = app
        .call(
            &admin,
            "/api/users/change-role",
            &[("user_id", &id), ("role", "partner")],
        )
        .await;
    assert_eq!(to_partner.status(), 422);

    // The new role applies to the user's very next request.
    let promoted = app
        .call(
            &admin,
            "/api/users/change-role",
            &[("user_id", &id), ("role", "admin")],
        )
        .await;
    assert_eq!(promoted.status(), 200);
    assert_eq!(
        app.call(&finance_client, "/api/users/list", &[])
            .await
            .status(),
        200
    );

    // Deactivation ends the user's sessions and refuses sign-in, with the usual answer.
    let off = app
        .call(
            &admin,
            "/api/users/set-active",
            &[("user_id", &id), ("active", "false")],
        )
        .await;
    assert_eq!(off.status(), 200);
    assert_eq!(
        app.call(&finance_client, "/api/dashboard/summary", &[])
            .await
            .status(),
        401
    );
    assert_eq!(
        sessions::Entity::find()
            .filter(sessions::Column::UserId.eq(finance.id))
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    let refused = sign_in_response(&app, &app.browser(), FINANCE, demo::DEMO_PASSWORD, false).await;
    assert_eq!(refused.status(), 422);

    let role_change = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("user.role_changed"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("role change audited");
    assert_eq!(role_change.actor_user_id, Some(admin_row.id));
    assert_eq!(role_change.before.as_deref(), Some(r#"{"role":"finance"}"#));
    assert_eq!(role_change.after.as_deref(), Some(r#"{"role":"admin"}"#));
    assert!(role_change.request_id.is_some(), "the request is named");
    let actions = audit_actions(&app).await;
    assert!(actions.iter().any(|a| a == "user.deactivated"));
}
on_both_databases!(
    role_changes_apply_at_once_and_deactivation_signs_out,
    role_changes_and_deactivation
);

async fn cross_site_requests(test_db: common::TestDb) {
    let app = demo_app(&test_db).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let host = app.addr.to_string();
    let post = |origin: Option<String>, fetch_site: Option<&'static str>| {
        let mut request = admin
            .post(app.url("/api/users/list"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.send()
    };
    assert_eq!(
        post(Some(format!("http://{host}")), None)
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        post(Some("https://evil.example".into()), None)
            .await
            .unwrap()
            .status(),
        403
    );
    // The same host under another scheme is another origin.
    assert_eq!(
        post(Some(format!("https://{host}")), None)
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(post(None, Some("cross-site")).await.unwrap().status(), 403);
    assert_eq!(post(None, Some("same-origin")).await.unwrap().status(), 200);
    // Reading is never refused on these grounds.
    let page = admin
        .get(app.url("/sign-in"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_ne!(page.status(), 403);
}
on_both_databases!(cross_site_writes_are_refused, cross_site_requests);

/// `?next=` after sign-in stays on this site whatever it hides: tabs and line breaks (which
/// browsers drop, turning `/\t/evil` into `//evil`), backslashes, other hosts. A line break no
/// longer reaches a header, so the server answers instead of dropping the connection.
#[tokio::test]
async fn next_after_sign_in_stays_on_this_site() {
    let test_db = common::TestDb::sqlite();
    let app = demo_app(&test_db).await;
    let admin = app.signed_in(ADMIN, demo::DEMO_PASSWORD).await;
    let landing = |next: &'static str| {
        let request = admin
            .get(format!("{}?next={next}", app.url("/sign-in")))
            .header("accept", "text/html");
        async move {
            let page = request
                .send()
                .await
                .expect("an answer, not a dropped connection");
            assert_eq!(page.status(), 302, "{next}");
            page.headers()["location"].to_str().unwrap().to_owned()
        }
    };
    assert_eq!(landing("%2Fpartners%3Fpage%3D2").await, "/partners?page=2");
    for hostile in [
        "%2F%09%2Fevil.example",
        "%2F%0D%0A%2Fevil.example",
        "%2F%0A%2Fevil.example",
        "%0D%0ASet-Cookie:%20x=1",
        "%2F%5Cevil.example",
        "%2F%2Fevil.example",
        "https:%2F%2Fevil.example",
    ] {
        assert_eq!(landing(hostile).await, "/", "{hostile}");
    }
}

/// The sign-in page's demo hints name one login per company role and two partner logins, of
/// two different partners, as the README promises.
#[tokio::test]
async fn demo_logins_name_every_role_and_two_partners() {
    let test_db = common::TestDb::sqlite();
    let app = demo_app(&test_db).await;
    let answer = app.call(&app.browser(), "/api/auth/demo-logins", &[]).await;
    assert_eq!(answer.status(), 200);
    let logins: Option<partner_attribution::api::auth::DemoLogins> = answer.json().await.unwrap();
    let logins = logins.expect("demo mode lists its logins").logins;
    let roles: Vec<Role> = logins.iter().map(|l| l.role).collect();
    assert_eq!(
        roles,
        [
            Role::Admin,
            Role::PartnerManager,
            Role::Finance,
            Role::Executive,
            Role::Partner,
            Role::Partner
        ]
    );
    let partner_domains: BTreeSet<&str> = logins[4..]
        .iter()
        .map(|l| l.email.split('@').nth(1).unwrap())
        .collect();
    assert_eq!(partner_domains.len(), 2, "{logins:?}");
}
