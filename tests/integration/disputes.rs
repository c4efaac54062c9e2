//! Disputes through their server functions, on SQLite and PostgreSQL: a partner user disputes
//! its own payout (never another partner's), a manager disputes a deal's attribution for a
//! partner, both sides write in the thread, the company reviews and resolves with an adjustment
//! that the ledger keeps when the deal is re-attributed, or rejects with an answer; finance only
//! reads; closed disputes stay closed; every step is audited.

use crate::common;

use backend::demo;
use backend::entities::{audit_events, partners, payouts, touchpoints, users};
use chrono::Utc;
use partner_attribution::api::disputes::{DisputeDetail, DisputePage};
use partner_attribution::domain::dispute::{DisputeVerb, Side};
use partner_attribution::domain::ids::DisputeId;
use partner_attribution::domain::payout::DisputeStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

async fn detail(app: &common::TestApp, client: &reqwest::Client, id: DisputeId) -> DisputeDetail {
    let response = app
        .call(client, "/api/disputes/get", &[("id", &id.to_string())])
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn disputes_end_to_end(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(91, 80, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let partner_email = data
        .users
        .iter()
        .find(|u| u.role == partner_attribution::domain::user::Role::Partner)
        .expect("a partner login")
        .email
        .clone();
    let app = common::TestApp::spawn(db).await;
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let finance = app
        .signed_in("finance@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let partner = app.signed_in(&partner_email, demo::DEMO_PASSWORD).await;
    let own = users::Entity::find()
        .filter(users::Column::Email.eq(partner_email.as_str()))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .partner_id
        .unwrap();
    let payout_of = |mine: bool| {
        let db = app.db.clone();
        async move {
            payouts::Entity::find()
                .filter(if mine {
                    payouts::Column::PartnerId.eq(own)
                } else {
                    payouts::Column::PartnerId.ne(own)
                })
                .filter(payouts::Column::Status.eq("paid"))
                .order_by_asc(payouts::Column::Id)
                .one(&db)
                .await
                .unwrap()
                .expect("a paid payout")
        }
    };
    let (mine, theirs) = (payout_of(true).await, payout_of(false).await);

    // A partner user disputes its own payout; another partner's does not exist for it.
    let open = |client: &reqwest::Client, form: Vec<(&'static str, String)>| {
        let (app, client) = (&app, client.clone());
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&client, "/api/disputes/open", &form).await
        }
    };
    let refused = open(
        &partner,
        vec![
            ("form[payout_id]", theirs.id.to_string()),
            ("form[reason]", "Ours".into()),
        ],
    )
    .await;
    assert_eq!(refused.status(), 404);
    let empty = open(&partner, vec![("form[payout_id]", mine.id.to_string())]).await;
    assert_eq!(empty.status(), 422);
    let opened = open(
        &partner,
        vec![
            ("form[payout_id]", mine.id.to_string()),
            // Naming another partner changes nothing: a partner user disputes for its own.
            ("form[partner_id]", theirs.partner_id.to_string()),
            (
                "form[reason]",
                "The payout misses the renewal we brought in.".into(),
            ),
        ],
    )
    .await;
    assert_eq!(opened.status(), 200);
    let on_payout: DisputeId = opened.json().await.unwrap();

    // The partner sees only its own disputes; the company sees them all.
    let list = |client: &reqwest::Client| {
        let (app, client) = (&app, client.clone());
        async move {
            let page: DisputePage = app
                .call(&client, "/api/disputes/list", &[])
                .await
                .json()
                .await
                .unwrap();
            page
        }
    };
    let theirs_page = list(&partner).await;
    assert!(theirs_page.rows.iter().all(|r| r.partner_id.0 == own));
    assert!(theirs_page.rows.iter().any(|r| r.id == on_payout));
    let all = list(&finance).await;
    assert!(
        all.total > theirs_page.total,
        "the demo has other partners' disputes"
    );
    assert!(all.open >= 1);

    // Both sides write; finance only reads.
    let reply = |client: &reqwest::Client, body: &'static str| {
        let (app, client) = (&app, client.clone());
        async move {
            app.call(
                &client,
                "/api/disputes/reply",
                &[("id", &on_payout.to_string()), ("body", body)],
            )
            .await
            .status()
        }
    };
    assert_eq!(reply(&manager, "Looking into the renewal now.").await, 200);
    assert_eq!(reply(&partner, "Thanks — it closed on the 3rd.").await, 200);
    assert_eq!(reply(&finance, "Finance here.").await, 403);
    assert_eq!(reply(&partner, "   ").await, 422);
    let act = |client: &reqwest::Client, form: Vec<(&'static str, &'static str)>| {
        let (app, client) = (&app, client.clone());
        async move {
            let mut fields = vec![("id", on_payout.to_string())];
            fields.extend(form.into_iter().map(|(k, v)| (k, v.to_owned())));
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&client, "/api/disputes/act", &fields)
                .await
                .status()
        }
    };
    assert_eq!(
        act(&finance, vec![("form[verb]", "start_review")]).await,
        403
    );
    assert_eq!(
        act(&partner, vec![("form[verb]", "start_review")]).await,
        403
    );
    // Open disputes are reviewed before they are resolved.
    let resolve = vec![
        ("form[verb]", "resolve"),
        ("form[answer]", "The renewal was yours: commission added."),
        ("form[adjustment]", "-50"),
    ];
    assert_eq!(act(&manager, resolve.clone()).await, 409);
    assert_eq!(
        act(&manager, vec![("form[verb]", "start_review")]).await,
        200
    );
    let seen = detail(&app, &partner, on_payout).await;
    assert_eq!(seen.dispute.status, DisputeStatus::UnderReview);
    assert!(seen.verbs.is_empty(), "partners do not decide");
    assert!(seen.can_reply);
    let thread: Vec<(Side, &str)> = seen
        .thread
        .iter()
        .map(|m| (m.side, m.body.as_str()))
        .collect();
    assert_eq!(
        thread,
        [
            (
                Side::Partner,
                "The payout misses the renewal we brought in."
            ),
            (Side::Company, "Looking into the renewal now."),
            (Side::Partner, "Thanks — it closed on the 3rd."),
            (Side::Company, "Started the review."),
        ]
    );
    assert_eq!(
        detail(&app, &manager, on_payout).await.verbs,
        [DisputeVerb::Resolve, DisputeVerb::Reject]
    );

    // Resolved with a negative adjustment: a pending clawback of the dispute, correcting the
    // payout, that finance approves like any other entry.
    assert_eq!(act(&manager, resolve.clone()).await, 200);
    let closed = detail(&app, &partner, on_payout).await;
    assert_eq!(closed.dispute.status, DisputeStatus::Resolved);
    assert!(!closed.can_reply);
    let (entry_id, amount) = closed.adjustment.expect("an adjustment");
    assert_eq!(amount.to_minor().unwrap(), -5_000);
    let entry = payouts::Entity::find_by_id(entry_id.0)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            entry.kind.0.as_str(),
            entry.status.0.as_str(),
            entry.amount_minor
        ),
        ("clawback", "pending", 5_000)
    );
    assert_eq!(
        (entry.dispute_id, entry.corrects_payout_id, entry.partner_id),
        (Some(on_payout.0), Some(mine.id), own)
    );
    assert!(
        closed.thread.last().unwrap().body.contains("−$50.00")
            || closed.thread.last().unwrap().body.contains("-$50.00")
    );
    // Closed stays closed.
    assert_eq!(
        act(
            &manager,
            vec![("form[verb]", "reject"), ("form[answer]", "No")]
        )
        .await,
        409
    );
    assert_eq!(reply(&partner, "One more thing").await, 409);

    // A manager disputes a won deal's attribution for a partner; the resolution's adjustment
    // survives a re-attribution of the deal, which reconciles only the deal's commissions.
    let touch = touchpoints::Entity::find()
        .order_by_asc(touchpoints::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    let won: Vec<i64> = backend::entities::deals::Entity::find()
        .filter(backend::entities::deals::Column::Stage.eq("won"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect();
    // A won deal with two touches by different partners: removing one re-attributes it.
    let (deal, claimant, removable) = won
        .iter()
        .find_map(|deal| {
            let mine: Vec<_> = touch.iter().filter(|t| t.deal_id == *deal).collect();
            let first = mine.first()?;
            let other = mine.iter().find(|t| t.partner_id != first.partner_id)?;
            Some((*deal, first.partner_id, other.id))
        })
        .expect("a won deal two partners touched");
    let spare = partners::Entity::find()
        .filter(partners::Column::Id.ne(claimant))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let opened = open(
        &manager,
        vec![
            ("form[deal_id]", deal.to_string()),
            ("form[partner_id]", spare.id.to_string()),
            (
                "form[reason]",
                "They sourced the lead at the trade show.".into(),
            ),
        ],
    )
    .await;
    assert_eq!(opened.status(), 200);
    let on_deal: DisputeId = opened.json().await.unwrap();
    for form in [
        vec![("form[verb]", "start_review")],
        vec![
            ("form[verb]", "resolve"),
            ("form[answer]", "Agreed: a finder's fee."),
            ("form[adjustment]", "120.50"),
        ],
    ] {
        let mut fields = vec![("id", on_deal.to_string())];
        fields.extend(form.into_iter().map(|(k, v)| (k, v.to_owned())));
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            app.call(&manager, "/api/disputes/act", &fields)
                .await
                .status(),
            200
        );
    }
    let fee = detail(&app, &manager, on_deal).await.adjustment.unwrap();
    assert_eq!(fee.1.to_minor().unwrap(), 12_050);
    let removed = app
        .call(
            &manager,
            "/api/deals/touchpoints/remove",
            &[("id", &removable.to_string())],
        )
        .await;
    assert_eq!(removed.status(), 200);
    let kept = payouts::Entity::find_by_id(fee.0.0)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.status.0.as_str(), kept.amount_minor),
        ("pending", 12_050)
    );

    // Rejecting needs an answer.
    let third = open(
        &partner,
        vec![
            ("form[payout_id]", mine.id.to_string()),
            ("form[reason]", "Still short.".into()),
        ],
    )
    .await;
    let third: DisputeId = third.json().await.unwrap();
    let reject = |answer: &'static str| {
        let (app, manager) = (&app, &manager);
        async move {
            app.call(
                manager,
                "/api/disputes/act",
                &[
                    ("id", third.to_string().as_str()),
                    ("form[verb]", "reject"),
                    ("form[answer]", answer),
                ],
            )
            .await
            .status()
        }
    };
    assert_eq!(reject("").await, 422);
    assert_eq!(reject("Settled by the earlier adjustment.").await, 200);
    assert_eq!(
        detail(&app, &partner, third).await.resolution.as_deref(),
        Some("Settled by the earlier adjustment.")
    );

    // Every step is in the audit trail.
    let actions: Vec<String> = audit_events::Entity::find()
        .filter(audit_events::Column::EntityType.eq("dispute"))
        .filter(audit_events::Column::EntityId.eq(on_payout.0))
        .order_by_asc(audit_events::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "dispute.opened",
            "dispute.replied",
            "dispute.replied",
            "dispute.under_review",
            "dispute.resolved"
        ]
    );
}

on_both_databases!(disputes_flow, disputes_end_to_end);
