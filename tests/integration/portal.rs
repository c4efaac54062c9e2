//! The partner portal through its server functions, on SQLite and PostgreSQL: a partner user's
//! overview, deals, deal pages and statement hold its own partner's figures (checked against the
//! database) and nothing that names another partner, even on deals they share; a deal only
//! another partner touched does not exist for it; staff have no portal.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use backend::demo;
use backend::entities::{attributions, organizations, partners, payouts, touchpoints};
use chrono::{Datelike, Utc};
use partner_attribution::api::payouts::Statement;
use partner_attribution::api::portal::{PortalDealDetail, PortalDealPage, PortalOverview};
use partner_attribution::domain::deal::DealStage;
use partner_attribution::domain::ledger::EntryKind;
use partner_attribution::domain::payout::PayoutStatus;
use partner_attribution::domain::reporting::quarter_start;
use partner_attribution::domain::user::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn json<T: serde::de::DeserializeOwned>(
    app: &common::TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (String, T) {
    let response = app.call(client, path, form).await;
    assert_eq!(response.status(), 200, "{path}");
    let body = response.text().await.unwrap();
    let value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
    (body, value)
}

async fn portal_shows_only_the_partners_own_data(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    let data = demo::generate(23, 120, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let login = data
        .users
        .iter()
        .find(|u| u.role == Role::Partner)
        .expect("a partner login");
    let own = login.partner.unwrap() as i64 + 1;
    let app = common::TestApp::spawn(db).await;
    let partner = app.signed_in(&login.email, demo::DEMO_PASSWORD).await;
    let db = &app.db;

    let all_partners = partners::Entity::find().all(db).await.unwrap();
    let own_name = all_partners
        .iter()
        .find(|p| p.id == own)
        .unwrap()
        .name
        .clone();
    let others: Vec<String> = all_partners
        .iter()
        .filter(|p| p.id != own)
        .map(|p| p.name.clone())
        .collect();
    let assert_no_other_names = |what: &str, body: &str| {
        for name in &others {
            assert!(!body.contains(name.as_str()), "{what} names {name}: {body}");
        }
    };

    // Deals: exactly those the partner touched, with its touches and the others counted.
    let touches = touchpoints::Entity::find().all(db).await.unwrap();
    let mut by_deal: BTreeMap<i64, (u32, BTreeSet<i64>)> = BTreeMap::new();
    for t in &touches {
        let entry = by_deal.entry(t.deal_id).or_default();
        if t.partner_id == own {
            entry.0 += 1;
        } else {
            entry.1.insert(t.partner_id);
        }
    }
    let touched: BTreeSet<i64> = by_deal
        .iter()
        .filter(|(_, (mine, _))| *mine > 0)
        .map(|(d, _)| *d)
        .collect();
    let payable = organizations::Entity::find_by_id(1)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .payable_model;
    let stored: BTreeMap<i64, i64> = attributions::Entity::find()
        .filter(attributions::Column::PartnerId.eq(own))
        .filter(attributions::Column::Model.eq(payable))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.deal_id, a.amount_minor))
        .collect();
    let mut listed = BTreeSet::new();
    let mut shared = None;
    for page in 0.. {
        let (body, deals): (String, PortalDealPage) = json(
            &app,
            &partner,
            "/api/portal/deals",
            &[("search", ""), ("page", &page.to_string())],
        )
        .await;
        assert_no_other_names("the deal list", &body);
        assert_eq!(deals.total, touched.len() as u64);
        for row in &deals.rows {
            let (mine, theirs) = &by_deal[&row.id.0];
            assert_eq!(row.touches, *mine, "own touches on deal {}", row.id);
            assert_eq!(row.other_partners, theirs.len() as u32);
            match row.stage {
                DealStage::Won => {
                    let credit = row.credit.as_ref().expect("credit on a won deal");
                    assert!(!credit.projected);
                    assert_eq!(credit.amount.to_minor().unwrap(), stored[&row.id.0]);
                }
                DealStage::Lost => assert!(row.credit.is_none()),
                DealStage::Open => assert!(row.credit.as_ref().is_none_or(|c| c.projected)),
            }
            if !theirs.is_empty() && shared.is_none() {
                shared = Some(row.id);
            }
            listed.insert(row.id.0);
        }
        if deals.rows.is_empty() || (page + 1) * deals.page_size >= deals.total {
            break;
        }
    }
    assert_eq!(listed, touched, "every touched deal, once");

    // A deal shared with other partners: only the partner's own touches, the others counted.
    let shared = shared.expect("the demo has a deal shared between partners");
    let (body, detail): (String, PortalDealDetail) = json(
        &app,
        &partner,
        "/api/portal/deal",
        &[("id", &shared.to_string())],
    )
    .await;
    assert_no_other_names("a shared deal", &body);
    assert_eq!(detail.timeline.len() as u32, by_deal[&shared.0].0);
    assert!(detail.deal.other_partners >= 1);
    assert!(
        detail
            .commissions
            .iter()
            .all(|c| c.partner_id.0 == own && c.deal_id == Some(shared))
    );

    // A deal only other partners touched does not exist for it.
    let theirs_only = by_deal
        .iter()
        .find(|(_, (mine, theirs))| *mine == 0 && !theirs.is_empty())
        .map(|(d, _)| *d)
        .expect("a deal the partner did not touch");
    let response = app
        .call(
            &partner,
            "/api/portal/deal",
            &[("id", &theirs_only.to_string())],
        )
        .await;
    assert_eq!(response.status(), 404);

    // The overview's money matches the ledger: this year and this quarter per status, and the
    // approved entries awaiting payment (all demo deals are in the base currency).
    let ledger = payouts::Entity::find()
        .filter(payouts::Column::PartnerId.eq(own))
        .all(db)
        .await
        .unwrap();
    let today = Utc::now().date_naive();
    let sum = |since: chrono::NaiveDate, status: PayoutStatus| -> i64 {
        ledger
            .iter()
            .filter(|p| p.status == status && p.created_at.date_naive() >= since)
            .map(|p| {
                if p.kind == EntryKind::Clawback {
                    -p.amount_minor
                } else {
                    p.amount_minor
                }
            })
            .sum()
    };
    let (body, overview): (String, PortalOverview) =
        json(&app, &partner, "/api/portal/overview", &[]).await;
    assert_no_other_names("the overview", &body);
    assert_eq!(overview.partner_name, own_name);
    let year = chrono::NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap();
    for (totals, since) in [
        (&overview.year, year),
        (&overview.quarter, quarter_start(today)),
    ] {
        assert_eq!(
            totals.paid.to_minor().unwrap(),
            sum(since, PayoutStatus::Paid)
        );
        assert_eq!(
            totals.approved.to_minor().unwrap(),
            sum(since, PayoutStatus::Approved)
        );
        assert_eq!(
            totals.pending.to_minor().unwrap(),
            sum(since, PayoutStatus::Pending)
        );
    }
    let owed = sum(chrono::NaiveDate::MIN, PayoutStatus::Approved);
    assert_eq!(
        overview.next_payment.map(|n| n.amount.to_minor().unwrap()),
        (ledger.iter().any(|p| p.status == PayoutStatus::Approved)).then_some(owed)
    );
    assert_eq!(overview.months.len(), 12);

    // The tier bars are the organization's: an administrator's change moves the partner's goal.
    let admin = app
        .signed_in("admin@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let bad = app
        .call(
            &admin,
            "/api/settings/program/save",
            &[
                ("form[silver]", "500"),
                ("form[gold]", "400"),
                ("form[platinum]", "x"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let saved = app
        .call(
            &admin,
            "/api/settings/program/save",
            &[
                ("form[silver]", "1000"),
                ("form[gold]", "2000000000"),
                ("form[platinum]", "3000000000"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 200);
    let (_, moved): (String, PortalOverview) =
        json(&app, &partner, "/api/portal/overview", &[]).await;
    let next = moved.tier.next.expect("a tier above");
    let bar = match next.tier {
        partner_attribution::domain::partner::PartnerTier::Silver => 1_000,
        partner_attribution::domain::partner::PartnerTier::Gold => 2_000_000_000,
        _ => 3_000_000_000,
    };
    assert_eq!(next.threshold.to_minor().unwrap(), bar * 100);

    // The statement is its own, whatever the CSV address names.
    let (body, statement): (String, Statement) = json(
        &app,
        &partner,
        "/api/portal/statement",
        &[("period", "last_12_months")],
    )
    .await;
    assert_no_other_names("the statement", &body);
    assert_eq!(statement.partner_id.0, own);
    assert!(statement.lines.iter().all(|l| l.partner_id.0 == own));
    let other = all_partners.iter().find(|p| p.id != own).unwrap().id;
    let csv = partner
        .get(app.url(&format!(
            "/api/payouts/statement.csv?partner={other}&period=last_12_months"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let disposition = csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&format!("statement-{own}-")),
        "{disposition}"
    );
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), statement.lines.len() + 1);
    assert_no_other_names("the statement CSV", &text);

    // Staff have no portal.
    let manager = app
        .signed_in("manager@northwind.example", demo::DEMO_PASSWORD)
        .await;
    let response = app.call(&manager, "/api/portal/overview", &[]).await;
    assert_eq!(response.status(), 403);
}
on_both_databases!(portal_isolation, portal_shows_only_the_partners_own_data);

/// The profile: the account leaves the server (and enters the audit trail) only masked; the
/// partner's administrator edits and invites, a colleague it invited only reads.
async fn profile_is_masked_and_administered(test_db: common::TestDb) {
    use backend::entities::audit_events;
    use partner_attribution::api::portal::PortalProfile;
    use partner_attribution::api::users::Invitation;
    let db = test_db.migrated().await;
    let data = demo::generate(29, 40, Utc::now());
    demo::load(&db, &data).await.unwrap();
    let login = data.users.iter().find(|u| u.role == Role::Partner).unwrap();
    let own = login.partner.unwrap() as i64 + 1;
    let app = common::TestApp::spawn(db).await;
    let admin = app.signed_in(&login.email, demo::DEMO_PASSWORD).await;

    let (body, profile): (String, PortalProfile) =
        json(&app, &admin, "/api/portal/profile", &[]).await;
    assert!(profile.is_admin);
    let stored = partners::Entity::find_by_id(own)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .payout_account
        .unwrap();
    assert!(
        !body.contains(&stored),
        "the whole account left the server: {body}"
    );
    let payout = profile.payout.unwrap();
    assert_eq!(
        payout.account_masked,
        format!("•••• {}", &stored[stored.len() - 4..])
    );

    // A bad IBAN is refused next to its field; a good one is stored whole, answered masked.
    let bad = app
        .call(
            &admin,
            "/api/portal/payout-details",
            &[
                ("form[method]", "bank_transfer"),
                ("form[holder]", "Apex Ltd"),
                ("form[account]", "GB28 NWBK 6016 1331 9268 19"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("account"));
    let (body, saved): (String, PortalProfile) = json(
        &app,
        &admin,
        "/api/portal/payout-details",
        &[
            ("form[method]", "bank_transfer"),
            ("form[holder]", "Apex Ltd"),
            ("form[account]", "de89 3704 0044 0532 0130 00"),
        ],
    )
    .await;
    assert!(!body.contains("DE89370400440532013000"));
    assert_eq!(saved.payout.unwrap().account_masked, "•••• 3000");
    let row = partners::Entity::find_by_id(own)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.payout_account.as_deref(),
        Some("DE89370400440532013000")
    );
    assert_eq!(row.payout_holder.as_deref(), Some("Apex Ltd"));
    // Left blank, the account stays.
    let (_, kept): (String, PortalProfile) = json(
        &app,
        &admin,
        "/api/portal/payout-details",
        &[
            ("form[method]", "bank_transfer"),
            ("form[holder]", "Apex Limited"),
            ("form[account]", ""),
        ],
    )
    .await;
    assert_eq!(kept.payout.unwrap().account_masked, "•••• 3000");
    let trail: Vec<String> = audit_events::Entity::find()
        .filter(audit_events::Column::Action.eq("partner.payout_details_updated"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{:?} {:?}", e.before, e.after))
        .collect();
    assert_eq!(trail.len(), 2);
    assert!(
        trail
            .iter()
            .all(|t| !t.contains("DE89370400440532013000") && !t.contains(&stored))
    );

    // The administrator invites a colleague of the same partner, who reads but does not edit.
    let (_, invitation): (String, Invitation) = json(
        &app,
        &admin,
        "/api/portal/invite",
        &[("email", "colleague@apex.example")],
    )
    .await;
    let (_, waiting): (String, PortalProfile) =
        json(&app, &admin, "/api/portal/profile", &[]).await;
    assert!(
        waiting
            .invited
            .iter()
            .any(|(email, _)| email == "colleague@apex.example")
    );
    let token = invitation.link.rsplit('/').next().unwrap().to_owned();
    let colleague = app.browser();
    let joined = app
        .call(
            &colleague,
            "/api/auth/accept-invitation",
            &[
                ("token", &token),
                ("name", "Colin Colleague"),
                ("password", "amber-tundra-signal-64"),
            ],
        )
        .await;
    assert_eq!(joined.status(), 200);
    let (_, seen): (String, PortalProfile) =
        json(&app, &colleague, "/api/portal/profile", &[]).await;
    assert!(!seen.is_admin);
    assert_eq!(seen.partner_name, profile.partner_name);
    assert!(
        seen.colleagues
            .iter()
            .any(|c| c.email == "colleague@apex.example" && !c.admin)
    );
    assert!(seen.invited.is_empty(), "accepted: no longer waiting");
    for (path, form) in [
        (
            "/api/portal/contacts",
            vec![("form[contact_email]", "x@y.example")],
        ),
        (
            "/api/portal/invite",
            vec![("email", "another@apex.example")],
        ),
    ] {
        assert_eq!(
            app.call(&colleague, path, &form).await.status(),
            403,
            "{path}"
        );
    }
}
on_both_databases!(portal_profile, profile_is_masked_and_administered);
