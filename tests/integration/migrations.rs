//! The schema migrates up, down and up again, and enforces what the domain promises (value sets,
//! consistency, state transitions), on SQLite and PostgreSQL alike.

use crate::common;

use migration::{Migrator, MigratorTrait};
use partner_attribution::domain::attribution::AttributionModel;
use partner_attribution::domain::crm::{CrmKind, SyncMode, SyncStatus};
use partner_attribution::domain::deal::DealStage;
use partner_attribution::domain::job::{JobKind, JobStatus};
use partner_attribution::domain::ledger::EntryKind;
use partner_attribution::domain::monthly_stats::Metric;
use partner_attribution::domain::partner::{PartnerStatus, PartnerTier, PartnerType};
use partner_attribution::domain::payout::{DisputeStatus, PayoutStatus};
use partner_attribution::domain::registration::RegistrationStatus;
use partner_attribution::domain::touchpoint::TouchpointKind;
use partner_attribution::domain::user::Role;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

const TABLES: &[&str] = &[
    "organizations",
    "users",
    "sessions",
    "auth_tokens",
    "outbox_messages",
    "partners",
    "deals",
    "touchpoints",
    "attributions",
    "commission_rules",
    "payouts",
    "disputes",
    "audit_events",
    "partner_monthly_stats",
    "organization_monthly_stats",
];

async fn table_exists(db: &DatabaseConnection, table: &str) -> bool {
    db.execute_unprepared(&format!("SELECT COUNT(*) FROM {table}"))
        .await
        .is_ok()
}

async fn up_down_up(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    for table in TABLES {
        assert!(table_exists(&db, table).await, "{table} after up");
    }
    // The latest migration alone goes down and up again over the tables the others made.
    Migrator::down(&db, Some(1)).await.expect("down one");
    Migrator::up(&db, None).await.expect("up one");
    Migrator::down(&db, None).await.expect("down");
    for table in TABLES {
        assert!(!table_exists(&db, table).await, "{table} after down");
    }
    Migrator::up(&db, None).await.expect("up again");
    for table in TABLES {
        assert!(table_exists(&db, table).await, "{table} after up again");
    }
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty()
    );
}
on_both_databases!(migrations_go_up_down_and_up_again, up_down_up);

async fn run(db: &DatabaseConnection, sql: &str) -> Result<(), DbErr> {
    db.execute_unprepared(sql).await.map(|_| ())
}

const NOW: &str = "'2026-01-01T00:00:00+00:00'";

async fn seed_org_and_partner(db: &DatabaseConnection) {
    run(db, &format!(
        "INSERT INTO organizations (id, name, slug, base_currency, created_at) VALUES (1, 'Org', 'org', 'USD', {NOW})"
    ))
    .await
    .unwrap();
    run(db, &format!(
        "INSERT INTO partners (id, organization_id, name, partner_type, status, tier, commission_rate, created_at, updated_at) \
         VALUES (1, 1, 'P', 'reseller', 'active', 'gold', '0.1', {NOW}, {NOW})"
    ))
    .await
    .unwrap();
}

/// Every value of every domain enum is accepted by its column, and anything else is refused.
async fn enum_checks_match_domain(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    seed_org_and_partner(&db).await;
    let mut id = 100;
    let mut partner = |column: &str, value: &str| {
        id += 1;
        let (t, s, tier) = match column {
            "partner_type" => (value, "active", "gold"),
            "status" => ("reseller", value, "gold"),
            _ => ("reseller", "active", value),
        };
        format!(
            "INSERT INTO partners (id, organization_id, name, partner_type, status, tier, commission_rate, created_at, updated_at) \
             VALUES ({id}, 1, 'P{id}', '{t}', '{s}', '{tier}', '0.1', {NOW}, {NOW})"
        )
    };
    for v in PartnerType::ALL {
        run(&db, &partner("partner_type", v.as_str()))
            .await
            .unwrap();
    }
    for v in PartnerStatus::ALL {
        run(&db, &partner("status", v.as_str())).await.unwrap();
    }
    for v in PartnerTier::ALL {
        run(&db, &partner("tier", v.as_str())).await.unwrap();
    }
    for bad in ["partner_type", "status", "tier"] {
        assert!(
            run(&db, &partner(bad, "bogus")).await.is_err(),
            "{bad} accepted bogus"
        );
    }

    let deal = |id: i64, stage: &str, closed: &str| {
        format!(
            "INSERT INTO deals (id, organization_id, name, account_name, amount_minor, currency, stage, closed_at, created_at, updated_at) \
             VALUES ({id}, 1, 'D', 'A', 1000, 'USD', '{stage}', {closed}, {NOW}, {NOW})"
        )
    };
    for (i, stage) in DealStage::ALL.iter().enumerate() {
        let closed = if stage.is_closed() { NOW } else { "NULL" };
        run(&db, &deal(i as i64 + 1, stage.as_str(), closed))
            .await
            .unwrap();
    }
    assert!(
        run(&db, &deal(50, "closed", NOW)).await.is_err(),
        "unknown stage"
    );
    assert!(
        run(&db, &deal(51, "won", "NULL")).await.is_err(),
        "won without closed_at"
    );
    assert!(
        run(&db, &deal(52, "open", NOW)).await.is_err(),
        "open with closed_at"
    );

    for (i, kind) in TouchpointKind::ALL.iter().enumerate() {
        run(&db, &format!(
            "INSERT INTO touchpoints (id, organization_id, deal_id, partner_id, kind, occurred_at, created_at) \
             VALUES ({}, 1, 1, 1, '{kind}', {NOW}, {NOW})", i + 1
        ))
        .await
        .unwrap();
    }
    for (i, model) in AttributionModel::ALL.iter().enumerate() {
        run(&db, &format!(
            "INSERT INTO attributions (id, organization_id, deal_id, model, partner_id, share, amount_minor, currency, explanation, computed_at) \
             VALUES ({}, 1, 2, '{model}', 1, '1', 1000, 'USD', 'x', {NOW})", i + 1
        ))
        .await
        .unwrap();
    }
    for (i, role) in Role::ALL.iter().enumerate() {
        let partner_id = if role.is_staff() { "NULL" } else { "1" };
        run(&db, &format!(
            "INSERT INTO users (id, organization_id, email, name, password_hash, role, partner_id, created_at) \
             VALUES ({}, 1, 'u{i}@x.example', 'U', 'h', '{role}', {partner_id}, {NOW})", i + 1
        ))
        .await
        .unwrap();
    }
    assert!(
        run(&db, &format!(
            "INSERT INTO users (id, organization_id, email, name, password_hash, role, partner_id, created_at) \
             VALUES (90, 1, 'p@x.example', 'U', 'h', 'partner', NULL, {NOW})"
        ))
        .await
        .is_err(),
        "partner user without a partner"
    );

    let payout = |id: i64, status: &str, approved: &str, paid: &str| {
        format!(
            "INSERT INTO payouts (id, organization_id, partner_id, deal_id, amount_minor, currency, status, approved_at, paid_at, created_at, updated_at) \
             VALUES ({id}, 1, 1, 2, 100, 'USD', '{status}', {approved}, {paid}, {NOW}, {NOW})"
        )
    };
    for (i, status) in PayoutStatus::ALL.iter().enumerate() {
        let approved = if matches!(status, PayoutStatus::Approved | PayoutStatus::Paid) {
            NOW
        } else {
            "NULL"
        };
        let paid = if *status == PayoutStatus::Paid {
            NOW
        } else {
            "NULL"
        };
        run(&db, &payout(i as i64 + 1, status.as_str(), approved, paid))
            .await
            .unwrap();
    }
    assert!(
        run(&db, &payout(50, "void", "NULL", "NULL")).await.is_err(),
        "unknown status"
    );
    assert!(
        run(&db, &payout(51, "paid", NOW, "NULL")).await.is_err(),
        "paid without paid_at"
    );
    for (i, kind) in EntryKind::ALL.iter().enumerate() {
        run(
            &db,
            &format!(
                "INSERT INTO payouts (id, organization_id, partner_id, deal_id, amount_minor, currency, status, kind, corrects_payout_id, created_at, updated_at) \
                 VALUES ({}, 1, 1, 2, 100, 'USD', 'pending', '{kind}', 1, {NOW}, {NOW})",
                i + 60
            ),
        )
        .await
        .unwrap();
    }
    assert!(
        run(&db, &format!(
            "INSERT INTO payouts (id, organization_id, partner_id, deal_id, amount_minor, currency, status, kind, created_at, updated_at) \
             VALUES (70, 1, 1, 2, 100, 'USD', 'pending', 'refund', {NOW}, {NOW})"
        ))
        .await
        .is_err(),
        "unknown entry kind"
    );
    assert!(
        run(&db, &format!(
            "INSERT INTO payouts (id, organization_id, partner_id, deal_id, amount_minor, currency, status, kind, corrects_payout_id, created_at, updated_at) \
             VALUES (71, 1, 1, 2, 100, 'USD', 'pending', 'clawback', 9999, {NOW}, {NOW})"
        ))
        .await
        .is_err(),
        "a correction of a payout that does not exist"
    );

    for (i, status) in DisputeStatus::ALL.iter().enumerate() {
        let (resolution, resolved) = if status.is_final() {
            ("'done'", NOW)
        } else {
            ("NULL", "NULL")
        };
        run(&db, &format!(
            "INSERT INTO disputes (id, organization_id, partner_id, payout_id, reason, status, resolution, created_at, resolved_at) \
             VALUES ({}, 1, 1, 1, 'r', '{status}', {resolution}, {NOW}, {resolved})", i + 1
        ))
        .await
        .unwrap();
    }
    assert!(
        run(&db, &format!(
            "INSERT INTO disputes (id, organization_id, partner_id, reason, status, created_at) VALUES (50, 1, 1, 'r', 'open', {NOW})"
        ))
        .await
        .is_err(),
        "dispute about nothing"
    );

    // CRM connections and syncs take the domain's kinds, modes and statuses only.
    for (i, kind) in CrmKind::ALL.iter().enumerate() {
        run(&db, &format!(
            "INSERT INTO crm_connections (id, organization_id, kind, base_url, settings, enabled, created_at, updated_at) \
             VALUES ({}, 1, '{kind}', 'https://crm.example', '{{}}', false, {NOW}, {NOW})", i + 1
        ))
        .await
        .unwrap();
    }
    assert!(
        run(&db, &format!(
            "INSERT INTO crm_connections (id, organization_id, kind, base_url, settings, enabled, created_at, updated_at) \
             VALUES (9, 1, 'zoho', 'https://crm.example', '{{}}', false, {NOW}, {NOW})"
        ))
        .await
        .is_err(),
        "an unknown CRM"
    );
    let sync = |id: usize, mode: &str, status: &str| {
        format!(
            "INSERT INTO crm_syncs (id, organization_id, connection_id, mode, status, created_at, updated_at) \
             VALUES ({id}, 1, 1, '{mode}', '{status}', {NOW}, {NOW})"
        )
    };
    for (i, mode) in SyncMode::ALL.iter().enumerate() {
        run(&db, &sync(i + 1, mode.as_str(), "queued"))
            .await
            .unwrap();
    }
    for (i, status) in SyncStatus::ALL.iter().enumerate() {
        run(&db, &sync(i + 10, "backfill", status.as_str()))
            .await
            .unwrap();
    }
    assert!(run(&db, &sync(30, "nightly", "queued")).await.is_err());
    assert!(run(&db, &sync(31, "backfill", "paused")).await.is_err());

    // Each metric goes to its own table, and only there.
    for metric in Metric::ALL {
        let partner = run(&db, &format!(
            "INSERT INTO partner_monthly_stats (organization_id, metric, month, partner_id, detail, value) \
             VALUES (1, '{metric}', '2026-01', 1, '', 1)"
        ))
        .await;
        let organization = run(&db, &format!(
            "INSERT INTO organization_monthly_stats (organization_id, metric, month, detail, value) \
             VALUES (1, '{metric}', '2026-01', '', 1)"
        ))
        .await;
        assert_eq!(
            (partner.is_ok(), organization.is_ok()),
            (metric.is_partner(), !metric.is_partner()),
            "{metric}"
        );
    }

    // Every job kind and status the domain has, and nothing else.
    let job = |id: i64, kind: &str, status: &str| {
        format!(
            "INSERT INTO jobs (id, kind, subject_id, status, attempts, run_after, created_at, updated_at) \
             VALUES ({id}, '{kind}', {id}, '{status}', 0, {NOW}, {NOW}, {NOW})"
        )
    };
    let mut id = 1;
    for kind in JobKind::ALL {
        for status in JobStatus::ALL {
            id += 1;
            run(&db, &job(id, kind.as_str(), status.as_str()))
                .await
                .unwrap();
        }
    }
    assert!(run(&db, &job(999, "bogus", "queued")).await.is_err());
    assert!(run(&db, &job(998, "import", "paused")).await.is_err());
    // One job per subject: a second job for import 2 is refused.
    let second = format!(
        "INSERT INTO jobs (id, kind, subject_id, status, attempts, run_after, created_at, updated_at) \
         VALUES (997, 'import', 2, 'queued', 0, {NOW}, {NOW}, {NOW})"
    );
    assert!(run(&db, &second).await.is_err());
}
on_both_databases!(enum_checks_match_the_domain, enum_checks_match_domain);

/// Foreign keys hold, and money columns are integers that sum exactly.
async fn integrity(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    seed_org_and_partner(&db).await;
    let orphan = format!(
        "INSERT INTO touchpoints (organization_id, deal_id, partner_id, kind, occurred_at, created_at) \
         VALUES (1, 999, 1, 'demo', {NOW}, {NOW})"
    );
    assert!(
        run(&db, &orphan).await.is_err(),
        "touchpoint on a missing deal"
    );
    let dup = |id: i64| {
        format!(
            "INSERT INTO deals (id, organization_id, name, account_name, amount_minor, currency, stage, source, external_id, created_at, updated_at) \
         VALUES ({id}, 1, 'D', 'A', 1, 'USD', 'open', 'crm:hubspot', 'X-1', {NOW}, {NOW})"
        )
    };
    run(&db, &dup(1)).await.unwrap();
    assert!(
        run(&db, &dup(2)).await.is_err(),
        "external id unique per organization and source"
    );
}
on_both_databases!(foreign_and_unique_keys_hold, integrity);

/// Every (from, to) pair of every state machine: the database allows exactly the moves the domain
/// allows. Each attempt starts from a fresh row in the `from` state.
async fn transitions_match_domain(test_db: common::TestDb) {
    let db = test_db.migrated().await;
    seed_org_and_partner(&db).await;
    let mut next_id = 1000;
    let mut fresh_id = || {
        next_id += 1;
        next_id
    };

    for from in DealStage::ALL {
        for to in DealStage::ALL.iter().filter(|to| *to != from) {
            let id = fresh_id();
            let closed = |s: &DealStage| if s.is_closed() { NOW } else { "NULL" };
            run(&db, &format!(
                "INSERT INTO deals (id, organization_id, name, account_name, amount_minor, currency, stage, closed_at, created_at, updated_at) \
                 VALUES ({id}, 1, 'D', 'A', 1, 'USD', '{from}', {}, {NOW}, {NOW})", closed(from)
            ))
            .await
            .unwrap();
            let moved = run(
                &db,
                &format!(
                    "UPDATE deals SET stage = '{to}', closed_at = {} WHERE id = {id}",
                    closed(to)
                ),
            )
            .await;
            assert_eq!(
                moved.is_ok(),
                from.transition(*to).is_ok(),
                "deal {from} -> {to}: {moved:?}"
            );
        }
    }

    run(&db, &format!(
        "INSERT INTO deals (id, organization_id, name, account_name, amount_minor, currency, stage, closed_at, created_at, updated_at) \
         VALUES (1, 1, 'D', 'A', 1, 'USD', 'won', {NOW}, {NOW}, {NOW})"
    ))
    .await
    .unwrap();
    for from in PayoutStatus::ALL {
        for to in PayoutStatus::ALL.iter().filter(|to| *to != from) {
            let id = fresh_id();
            // Every detail any state needs is set, so only the move itself is judged.
            run(&db, &format!(
                "INSERT INTO payouts (id, organization_id, partner_id, deal_id, amount_minor, currency, status, approved_at, paid_at, paid_on, paid_reference, rejected_reason, created_at, updated_at) \
                 VALUES ({id}, 1, 1, 1, 100, 'USD', '{from}', {NOW}, {NOW}, '2026-01-01', 'REF', 'why', {NOW}, {NOW})"
            ))
            .await
            .unwrap();
            let moved = run(
                &db,
                &format!("UPDATE payouts SET status = '{to}' WHERE id = {id}"),
            )
            .await;
            assert_eq!(
                moved.is_ok(),
                from.transition(*to).is_ok(),
                "payout {from} -> {to}: {moved:?}"
            );
        }
    }

    // Rejected needs its reason, paid its reference and day, whoever writes the row.
    for (status, missing) in [
        ("rejected", "rejected_reason = NULL"),
        ("rejected", "rejected_reason = '  '"),
        ("paid", "paid_reference = NULL"),
        ("paid", "paid_on = NULL"),
    ] {
        let id = fresh_id();
        let from = if status == "paid" {
            "approved"
        } else {
            "pending"
        };
        run(&db, &format!(
            "INSERT INTO payouts (id, organization_id, partner_id, deal_id, amount_minor, currency, status, approved_at, paid_at, paid_on, paid_reference, rejected_reason, created_at, updated_at) \
             VALUES ({id}, 1, 1, 1, 100, 'USD', '{from}', {NOW}, {NOW}, '2026-01-01', 'REF', 'why', {NOW}, {NOW})"
        ))
        .await
        .unwrap();
        let moved = run(
            &db,
            &format!("UPDATE payouts SET status = '{status}', {missing} WHERE id = {id}"),
        )
        .await;
        assert!(moved.is_err(), "{status} with {missing}");
    }

    for from in DisputeStatus::ALL {
        for to in DisputeStatus::ALL.iter().filter(|to| *to != from) {
            let id = fresh_id();
            run(&db, &format!(
                "INSERT INTO disputes (id, organization_id, partner_id, deal_id, reason, status, resolution, created_at, resolved_at) \
                 VALUES ({id}, 1, 1, 1, 'r', '{from}', 'x', {NOW}, {NOW})"
            ))
            .await
            .unwrap();
            // A resolution brings its adjustment (migration 000012; refused without, below).
            let moved = run(
                &db,
                &format!(
                    "UPDATE disputes SET status = '{to}', \
                     adjustment_payout_id = (SELECT MIN(id) FROM payouts) WHERE id = {id}"
                ),
            )
            .await;
            assert_eq!(
                moved.is_ok(),
                from.transition(*to).is_ok(),
                "dispute {from} -> {to}: {moved:?}"
            );
        }
    }

    // Closing a dispute without its answer, or resolving it without its adjustment, is refused.
    for (to, missing) in [
        ("resolved", "adjustment_payout_id = NULL"),
        ("resolved", "resolution = ''"),
        ("rejected", "resolution = NULL"),
    ] {
        let id = fresh_id();
        run(&db, &format!(
            "INSERT INTO disputes (id, organization_id, partner_id, deal_id, reason, status, resolution, created_at) \
             VALUES ({id}, 1, 1, 1, 'r', 'under_review', 'x', {NOW})"
        ))
        .await
        .unwrap();
        let moved = run(
            &db,
            &format!(
                "UPDATE disputes SET status = '{to}', resolved_at = {NOW}, \
                 adjustment_payout_id = (SELECT MIN(id) FROM payouts), {missing} WHERE id = {id}"
            ),
        )
        .await;
        assert!(moved.is_err(), "{to} with {missing}");
    }

    // Deal registrations: every move the domain allows and no other (an approval carries its
    // deal and protection, a rejection its reason: migration 000014).
    let registration = |id: i64, status: RegistrationStatus| {
        format!(
            "INSERT INTO deal_registrations (id, organization_id, partner_id, account_name, account_key, \
             contact_name, contact_email, estimated_amount_minor, currency, expected_close_on, status, \
             rejected_reason, deal_id, protected_until, created_at) \
             VALUES ({id}, 1, 1, 'Acme', 'acme', 'Ann', 'ann@acme.example', 100, 'USD', '2027-01-01', \
             '{status}', 'r', 1, '2027-01-01', {NOW})"
        )
    };
    for from in RegistrationStatus::ALL {
        for to in RegistrationStatus::ALL.iter().filter(|to| *to != from) {
            let id = fresh_id();
            run(&db, &registration(id, *from)).await.unwrap();
            let moved = run(
                &db,
                &format!("UPDATE deal_registrations SET status = '{to}' WHERE id = {id}"),
            )
            .await;
            assert_eq!(
                moved.is_ok(),
                from.transition(*to).is_ok(),
                "registration {from} -> {to}: {moved:?}"
            );
        }
    }
    for (to, missing) in [
        ("rejected", "rejected_reason = ' '"),
        ("approved", "deal_id = NULL"),
        ("approved", "protected_until = NULL"),
    ] {
        let id = fresh_id();
        run(&db, &registration(id, RegistrationStatus::Pending))
            .await
            .unwrap();
        let moved = run(
            &db,
            &format!("UPDATE deal_registrations SET status = '{to}', {missing} WHERE id = {id}"),
        )
        .await;
        assert!(moved.is_err(), "registration {to} with {missing}");
    }

    // CRM syncs: queued → running → done | failed, paused back to queued, cancelled.
    run(&db, &format!(
        "INSERT INTO crm_connections (id, organization_id, kind, base_url, settings, enabled, created_at, updated_at) \
         VALUES (1, 1, 'hubspot', 'https://api.hubapi.com', '{{}}', true, {NOW}, {NOW})"
    ))
    .await
    .unwrap();
    for from in SyncStatus::ALL {
        for to in SyncStatus::ALL.iter().filter(|to| *to != from) {
            let id = fresh_id();
            run(&db, &format!(
                "INSERT INTO crm_syncs (id, organization_id, connection_id, mode, status, created_at, updated_at) \
                 VALUES ({id}, 1, 1, 'backfill', '{from}', {NOW}, {NOW})"
            ))
            .await
            .unwrap();
            let moved = run(
                &db,
                &format!("UPDATE crm_syncs SET status = '{to}' WHERE id = {id}"),
            )
            .await;
            assert_eq!(
                moved.is_ok(),
                from.can_move_to(*to),
                "sync {from} -> {to}: {moved:?}"
            );
        }
    }

    for from in JobStatus::ALL {
        for to in JobStatus::ALL.iter().filter(|to| *to != from) {
            let id = fresh_id();
            run(&db, &format!(
                "INSERT INTO jobs (id, kind, subject_id, status, attempts, run_after, created_at, updated_at) \
                 VALUES ({id}, 'import', {id}, '{from}', 0, {NOW}, {NOW}, {NOW})"
            ))
            .await
            .unwrap();
            let moved = run(
                &db,
                &format!("UPDATE jobs SET status = '{to}' WHERE id = {id}"),
            )
            .await;
            assert_eq!(
                moved.is_ok(),
                from.can_become(*to),
                "job {from} -> {to}: {moved:?}"
            );
        }
    }

    // Updating other columns of a row in a final state is still allowed.
    run(&db, "UPDATE deals SET name = 'Renamed' WHERE id = 1")
        .await
        .unwrap();
}
on_both_databases!(state_machines_match_the_domain, transitions_match_domain);
