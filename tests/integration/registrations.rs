//! Deal registration through its server functions, on SQLite and PostgreSQL: partners register
//! for their own partner, conflicts with open deals and other partners' claims are flagged to
//! the company (never shown to the partner), approval creates the deal with the partner's
//! registration touch, rejection needs a reason, two managers deciding at once yield one winner,
//! protection runs out, the database refuses illegal moves, and every step is audited.

use crate::common;

use backend::demo;
use backend::entities::{audit_events, deal_registrations, deals, outbox_messages, touchpoints};
use chrono::{Days, Utc};
use partner_attribution::api::portal::PortalDealPage;
use partner_attribution::api::registrations::{RegistrationPage, RegistrationRow};
use partner_attribution::domain::deal::DealStage;
use partner_attribution::domain::registration::RegistrationStatus;
use partner_attribution::domain::touchpoint::TouchpointKind;
use partner_attribution::domain::user::Role;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};

async fn register(
    app: &common::TestApp,
    client: &reqwest::Client,
    account: &str,
) -> reqwest::Response {
    let close = (Utc::now().date_naive() + Days::new(45)).to_string();
    app.call(
        client,
        "/api/registrations/register",
        &[
            ("form[account_name]", account),
            ("form[contact_name]", "Hank Scorpio"),
            ("form[contact_email]", "hank@globex.example"),
            ("form[estimated_amount]", "120000"),
            ("form[expected_close_on]", &close),
            ("form[notes]", "Met at the expo; budget approved."),
        ],
    )
    .await
}

async fn list(
    app: &common::TestApp,
    client: &reqwest::Client,
    status: Option<&str>,
) -> (String, RegistrationPage) {
    let mut form = Vec::new();
    if let Some(status) = status {
        form.push(("status", status));
    }
    let response = app.call(client, "/api/registrations/list", &form).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    (body.clone(), serde_json::from_str(&body).unwrap())
}

async fn decide(
    app: &common::TestApp,
    client: &reqwest::Client,
    id: i64,
    verb: &str,
    reason: &str,
) -> reqwest::Response {
    app.call(
        client,
        "/api/registrations/decide",
        &[
            ("id", &id.to_string()),
            ("form[verb]", verb),
            ("form[reason]", reason),
        ],
    )
    .await
}

async fn audited(app: &common::TestApp, action: &str, id: i64) -> usize {
    audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq(action))
        .filter(audit_events::Column::EntityId.eq(id))
        .all(&app.db)
        .await
        .unwrap()
        .len()
}

async fn registrations_end_to_end(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(57, 80, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let logins: Vec<_> = data
        .users
        .iter()
        .filter(|u| u.role == Role::Partner)
        .collect();
    let (a_index, b_index) = (logins[0].partner.unwrap(), logins[1].partner.unwrap());
    let (a_id, b_id) = (a_index as i64 + 1, b_index as i64 + 1);
    let a_name = data.partners[a_index].name.clone();
    let app = common::TestApp::spawn(db).await;
    let a = app.signed_in(&logins[0].email, demo::DEMO_PASSWORD).await;
    let b = app.signed_in(&logins[1].email, demo::DEMO_PASSWORD).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let other_manager = app
        .signed_in("admin@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let finance = app
        .signed_in("finance@northwind.example", demo::DEMO_PASSWORD)
        .await;

    // Bad input names its fields and registers nothing.
    let bad = app
        .call(
            &a,
            "/api/registrations/register",
            &[
                ("form[account_name]", ""),
                ("form[contact_email]", "hank"),
                ("form[estimated_amount]", "-5"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body = bad.text().await.unwrap();
    for field in [
        "account_name",
        "contact_email",
        "estimated_amount",
        "expected_close_on",
    ] {
        assert!(body.contains(field), "{field} in {body}");
    }
    assert_eq!(
        deal_registrations::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .len(),
        0
    );

    // A registers a new account: clean. B registers the same company: flagged, and only the
    // company learns why.
    let first: RegistrationRow = {
        let response = register(&app, &a, "Globex Corporation").await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    };
    assert!(!first.flagged);
    assert_eq!(first.partner_id.0, a_id);
    assert_eq!(first.status, RegistrationStatus::Pending);
    assert_eq!(first.estimated.to_minor().unwrap(), 12_000_000);
    assert_eq!(audited(&app, "registration.created", first.id.0).await, 1);
    let second: RegistrationRow = register(&app, &b, "GLOBEX, Inc.")
        .await
        .json()
        .await
        .unwrap();
    assert!(second.flagged);
    assert!(
        second.conflicts.is_empty(),
        "a partner never sees whose claim"
    );
    let (b_body, b_page) = list(&app, &b, None).await;
    assert!(b_page.rows.iter().all(|r| r.partner_id.0 == b_id));
    assert!(!b_body.contains(&a_name), "B's list names A: {b_body}");
    let (_, queue) = list(&app, &manager, None).await;
    assert!(queue.can_decide);
    let flagged = queue.rows.iter().find(|r| r.id == second.id).unwrap();
    assert!(
        flagged
            .conflicts
            .iter()
            .any(|c| c.contains(&a_name) && c.contains("awaits review")),
        "{:?}",
        flagged.conflicts
    );
    // The queue opens on pending registrations by default (the page asks for them).
    let (_, pending) = list(&app, &manager, Some("pending")).await;
    assert_eq!(pending.total, 2);

    // An account with an open deal is flagged too.
    let open = deals::Entity::find()
        .filter(deals::Column::Stage.eq(DealStage::Open.as_str()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let on_open: RegistrationRow = register(&app, &a, &open.account_name.to_uppercase())
        .await
        .json()
        .await
        .unwrap();
    let (_, queue) = list(&app, &manager, None).await;
    let row = queue.rows.iter().find(|r| r.id == on_open.id).unwrap();
    assert!(row.flagged);
    assert!(
        row.conflicts.iter().any(|c| c.contains("open deal")),
        "{:?}",
        row.conflicts
    );

    // The dashboard tells the company what waits on it.
    let summary: partner_attribution::api::dashboard::DashboardSummary = app
        .call(&manager, "/api/dashboard/summary", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (summary.pending_registrations, summary.flagged_registrations),
        (3, 2)
    );

    // Neither partners nor finance decide.
    for client in [&a, &finance] {
        assert_eq!(
            decide(&app, client, first.id.0, "approve", "")
                .await
                .status(),
            403
        );
    }

    // Two managers approve A's at once: one wins, one deal is created.
    let (left, right) = tokio::join!(
        decide(&app, &manager, first.id.0, "approve", ""),
        decide(&app, &other_manager, first.id.0, "approve", "")
    );
    let mut statuses = [left.status().as_u16(), right.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let approved = deal_registrations::Entity::find_by_id(first.id.0)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(approved.status, RegistrationStatus::Approved);
    let window = 90;
    assert_eq!(
        approved.protected_until,
        Some(Utc::now().date_naive() + Days::new(window))
    );
    let deal_id = approved.deal_id.expect("the approval's deal");
    let deal = deals::Entity::find_by_id(deal_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deal.stage, DealStage::Open);
    assert_eq!(deal.account_name, "Globex Corporation");
    assert!(
        !deal.name.contains(&a_name),
        "partners who later touch the deal must not learn who registered it: {}",
        deal.name
    );
    assert_eq!(deal.amount_minor, 12_000_000);
    let touches = touchpoints::Entity::find()
        .filter(touchpoints::Column::DealId.eq(deal_id))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(touches.len(), 1);
    assert_eq!(touches[0].partner_id, a_id);
    assert_eq!(touches[0].kind, TouchpointKind::DealRegistration);
    assert_eq!(
        deals::Entity::find()
            .filter(deals::Column::AccountName.eq("Globex Corporation"))
            .all(&app.db)
            .await
            .unwrap()
            .len(),
        1,
        "the losing approval created nothing"
    );
    assert_eq!(audited(&app, "registration.approved", first.id.0).await, 1);
    // The partner user who registered is told (a message in the outbox).
    let told = |email: String| {
        let db = app.db.clone();
        async move {
            outbox_messages::Entity::find()
                .filter(outbox_messages::Column::Recipient.eq(email))
                .all(&db)
                .await
                .unwrap()
                .into_iter()
                .map(|m| format!("{} | {}", m.subject, m.body))
                .collect::<Vec<_>>()
        }
    };
    let to_a = told(logins[0].email.clone()).await;
    assert_eq!(to_a.len(), 1, "{to_a:?}");
    assert!(
        to_a[0].contains("Globex Corporation was approved"),
        "{to_a:?}"
    );
    assert_eq!(audited(&app, "deal.created", deal_id).await, 1);

    // The deal is in A's portal, with its registration touch.
    let response = app
        .call(
            &a,
            "/api/portal/deals",
            &[("search", "Globex"), ("page", "0")],
        )
        .await;
    let portal: PortalDealPage = response.json().await.unwrap();
    assert!(
        portal
            .rows
            .iter()
            .any(|r| r.id.0 == deal_id && r.touches == 1)
    );

    // Deciding an approved one again is refused; a rejection needs its reason, then tells it.
    assert_eq!(
        decide(&app, &manager, first.id.0, "reject", "No")
            .await
            .status(),
        409
    );
    let no_reason = decide(&app, &manager, second.id.0, "reject", "  ").await;
    assert_eq!(no_reason.status(), 422);
    assert!(no_reason.text().await.unwrap().contains("form.reason"));
    let rejected = decide(
        &app,
        &manager,
        second.id.0,
        "reject",
        "Another partner registered this account first.",
    )
    .await;
    assert_eq!(rejected.status(), 200);
    let to_b = told(logins[1].email.clone()).await;
    assert!(
        to_b.iter()
            .any(|m| m.contains("not approved") && m.contains("registered this account first")),
        "{to_b:?}"
    );
    let (_, b_page) = list(&app, &b, Some("rejected")).await;
    assert_eq!(
        b_page.rows[0].rejected_reason.as_deref(),
        Some("Another partner registered this account first.")
    );

    // While A's approval protects it, a new claim by B is flagged with the protection.
    let third: RegistrationRow = register(&app, &b, "Globex").await.json().await.unwrap();
    let (_, queue) = list(&app, &manager, None).await;
    let row = queue.rows.iter().find(|r| r.id == third.id).unwrap();
    assert!(
        row.conflicts.iter().any(|c| c.contains("protected until")),
        "{:?}",
        row.conflicts
    );
    assert!(
        row.conflicts.iter().any(|c| c.contains("open deal")),
        "{:?}",
        row.conflicts
    );

    // Protection runs out: an approval past its window without a win, and a pending one never
    // decided within the window, expire when the list is next read; both audited.
    let yesterday = Utc::now().date_naive() - Days::new(1);
    let mut stale = approved.into_active_model();
    stale.protected_until = Set(Some(yesterday));
    stale.update(&app.db).await.unwrap();
    let old = deal_registrations::Entity::find_by_id(third.id.0)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let mut aged = old.into_active_model();
    aged.created_at = Set(Utc::now() - chrono::Duration::days(window as i64 + 2));
    aged.update(&app.db).await.unwrap();
    let (_, expired) = list(&app, &manager, Some("expired")).await;
    let ids: Vec<i64> = expired.rows.iter().map(|r| r.id.0).collect();
    assert!(
        ids.contains(&first.id.0) && ids.contains(&third.id.0),
        "{ids:?}"
    );
    assert_eq!(audited(&app, "registration.expired", first.id.0).await, 1);
    assert_eq!(audited(&app, "registration.expired", third.id.0).await, 1);

    // The database refuses what the workflow does not allow, whoever writes.
    for sql in [
        format!(
            "UPDATE deal_registrations SET status = 'approved' WHERE id = {}",
            first.id
        ),
        format!(
            "UPDATE deal_registrations SET status = 'rejected' WHERE id = {}",
            on_open.id
        ),
        format!(
            "UPDATE deal_registrations SET status = 'approved' WHERE id = {}",
            on_open.id
        ),
    ] {
        assert!(app.db.execute_unprepared(&sql).await.is_err(), "{sql}");
    }

    // Administrators set the window; a bad one is refused next to its field.
    let bad = app
        .call(
            &other_manager,
            "/api/registrations/window",
            &[("days", "0")],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let saved = app
        .call(
            &other_manager,
            "/api/registrations/window",
            &[("days", "120")],
        )
        .await;
    assert_eq!(saved.status(), 200);
    let (_, page) = list(&app, &manager, None).await;
    assert_eq!(page.window_days, 120);
    assert_eq!(
        app.call(&manager, "/api/registrations/window", &[("days", "30")])
            .await
            .status(),
        403
    );
}
on_both_databases!(registrations, registrations_end_to_end);
