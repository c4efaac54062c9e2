use crate::entities::text::Text;
use chrono::Utc;
use domain::audit::AuditAction;
use domain::ledger::EntryKind;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, PaginatorTrait, Set,
    TransactionSession, TransactionTrait,
};

use super::DemoData;
use crate::entities::*;
use domain::attribution::ModelSettings;
use domain::deal::DealStage;
use domain::payout_details::{PayoutMethod, iban};

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "demo1234";

/// Why demo deals were lost, in rotation.
const LOST_REASONS: &[&str] = &[
    "Chose a competitor",
    "No budget this year",
    "Project postponed",
    "Went with the incumbent",
];

/// Rows per INSERT: well under SQLite's limit of bound parameters per statement.
const CHUNK: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    pub partners: usize,
    pub deals: usize,
    pub touchpoints: usize,
    pub payouts: usize,
    pub logins: Vec<(String, String)>,
}

/// Loads the demo company unless the database already holds an organization.
pub async fn load_if_empty<C>(db: &C, data: &DemoData) -> Result<Option<LoadReport>, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    if organizations::Entity::find().count(db).await? > 0 {
        return Ok(None);
    }
    load(db, data).await.map(Some)
}

/// Writes `data` into a database without organizations, in one transaction. Ids are assigned
/// here (index + 1) so records can refer to each other without reading ids back.
pub async fn load<C>(db: &C, data: &DemoData) -> Result<LoadReport, DbErr>
where
    C: ConnectionTrait + TransactionTrait,
{
    if organizations::Entity::find().count(db).await? > 0 {
        return Err(DbErr::Custom(
            "the database already holds data: demo data only loads into an empty database \
             (point DATABASE_URL at a new file or database)"
                .into(),
        ));
    }
    let password_hash = crate::auth::password::hash(DEMO_PASSWORD)
        .await
        .map_err(|e| DbErr::Custom(format!("password hashing failed: {e}")))?;
    let txn = db.begin().await?;
    let now = Utc::now();
    let org_id = 1i64;
    let id = |index: usize| index as i64 + 1;
    let org = &data.organization;
    let bars = domain::tier_program::TierBars::default();
    organizations::ActiveModel {
        id: Set(org_id),
        name: Set(org.name.clone()),
        slug: Set(org.slug.clone()),
        base_currency: Set(Text(org.base_currency)),
        payable_model: Set(Text(org.payable_model)),
        settings: Set(serde_json::to_string(&ModelSettings::default()).unwrap_or_default()),
        created_at: Set(org.created_at),
        payout_four_eyes: Set(false),
        registration_window_days: Set(domain::registration::DEFAULT_WINDOW_DAYS as i32),
        tier_silver_from: Set(bars.silver),
        tier_gold_from: Set(bars.gold),
        tier_platinum_from: Set(bars.platinum),
    }
    .insert(&txn)
    .await?;

    insert_chunks(
        &txn,
        data.partners
            .iter()
            .enumerate()
            .map(|(i, p)| partners::ActiveModel {
                id: Set(id(i)),
                organization_id: Set(org_id),
                name: Set(p.name.clone()),
                partner_type: Set(Text(p.partner_type)),
                status: Set(Text(p.status)),
                tier: Set(Text(p.tier)),
                contact_name: Set(Some(p.contact_name.clone())),
                contact_email: Set(Some(p.contact_email.clone())),
                website: Set(Some(p.website.clone())),
                region: Set(Some(p.region.clone())),
                commission_rate: Set(Text(p.commission_rate)),
                created_at: Set(p.created_at),
                updated_at: Set(p.created_at),
                payout_currency: Set(None),
                payout_method: Set(Some(Text(PayoutMethod::BankTransfer))),
                payout_holder: Set(Some(p.name.clone())),
                payout_account: Set(Some(iban(
                    "GB",
                    &format!("NWBK6016133192{:04}", i % 10_000),
                ))),
                // As the CRM's account id would read.
                external_id: Set(Some(format!("001P{:08}", i + 1))),
            }),
    )
    .await?;

    insert_chunks(
        &txn,
        data.users
            .iter()
            .enumerate()
            .map(|(i, u)| users::ActiveModel {
                id: Set(id(i)),
                organization_id: Set(org_id),
                email: Set(u.email.clone()),
                name: Set(u.name.clone()),
                password_hash: Set(password_hash.clone()),
                role: Set(Text(u.role)),
                partner_id: Set(u.partner.map(id)),
                active: Set(true),
                created_at: Set(org.created_at),
                last_login_at: Set(None),
                // Each demo partner login is its partner's first portal user: its administrator.
                partner_admin: Set(u.partner.is_some()),
            }),
    )
    .await?;

    insert_chunks(
        &txn,
        data.rules
            .iter()
            .enumerate()
            .map(|(i, r)| commission_rules::ActiveModel {
                id: Set(id(i)),
                organization_id: Set(org_id),
                name: Set(r.name.clone()),
                scope: Set("tier".into()),
                scope_value: Set(Some(r.tier.to_string())),
                kind: Set(Text(domain::commission_rules::KindName::Percentage)),
                rate: Set(Some(Text(r.rate))),
                amount_minor: Set(None),
                currency: Set(None),
                bands: Set(None),
                effective_from: Set(r.effective_from),
                effective_to: Set(None),
                priority: Set(100),
                active: Set(true),
                created_at: Set(org.created_at),
                rule_id: Set(Some(id(i))),
                version: Set(1),
                min_deal_minor: Set(None),
                created_by: Set(None),
            }),
    )
    .await?;

    let manager = data
        .users
        .iter()
        .position(|u| u.role == domain::user::Role::PartnerManager)
        .map(id);
    insert_chunks(
        &txn,
        data.deals
            .iter()
            .enumerate()
            .map(|(i, d)| deals::ActiveModel {
                id: Set(id(i)),
                organization_id: Set(org_id),
                name: Set(d.name.clone()),
                account_name: Set(d.account.clone()),
                amount_minor: Set(d.amount.to_minor().unwrap_or_default()),
                currency: Set(Text(d.amount.currency())),
                stage: Set(Text(d.stage)),
                expected_close_on: Set(d.expected_close_on),
                closed_at: Set(d.closed_at),
                source: Set("crm:salesforce".into()),
                external_id: Set(Some(d.external_id.clone())),
                owner_user_id: Set(manager),
                created_at: Set(d.created_at),
                updated_at: Set(d.closed_at.unwrap_or(d.created_at)),
                lost_reason: Set((d.stage == DealStage::Lost)
                    .then(|| LOST_REASONS[i % LOST_REASONS.len()].to_owned())),
                // Demo deals are in the base currency: no rate to lock.
                fx_rate: Set(None),
                fx_rate_on: Set(None),
            }),
    )
    .await?;

    insert_chunks(
        &txn,
        data.touchpoints
            .iter()
            .enumerate()
            .map(|(i, t)| touchpoints::ActiveModel {
                id: Set(id(i)),
                organization_id: Set(org_id),
                deal_id: Set(id(t.deal)),
                partner_id: Set(id(t.partner)),
                kind: Set(Text(t.kind)),
                occurred_at: Set(t.occurred_at),
                note: Set(t.note.clone()),
                actor_user_id: Set(manager),
                created_at: Set(t.occurred_at),
                external_id: Set(None),
            }),
    )
    .await?;

    insert_chunks(
        &txn,
        data.attributions
            .iter()
            .enumerate()
            .map(|(i, a)| attributions::ActiveModel {
                id: Set(id(i)),
                organization_id: Set(org_id),
                deal_id: Set(id(a.deal)),
                model: Set(Text(data.organization.payable_model)),
                partner_id: Set(id(a.partner)),
                share: Set(Text(a.share)),
                amount_minor: Set(a.amount.to_minor().unwrap_or_default()),
                currency: Set(Text(a.amount.currency())),
                // Structured, so the UI can render it; `Explanation::sentence` gives the English.
                explanation: Set(serde_json::to_string(&a.explanation).unwrap_or_default()),
                computed_at: Set(data.deals[a.deal].closed_at.unwrap_or(now)),
                fx_rate: Set(None),
            }),
    )
    .await?;

    let finance = data
        .users
        .iter()
        .position(|u| u.role == domain::user::Role::Finance)
        .map(id);
    insert_chunks(
        &txn,
        data.payouts
            .iter()
            .enumerate()
            .map(|(i, p)| payouts::ActiveModel {
                id: Set(id(i)),
                organization_id: Set(org_id),
                partner_id: Set(id(p.partner)),
                deal_id: Set(Some(id(p.deal))),
                attribution_id: Set(Some(id(p.attribution))),
                commission_rule_id: Set(Some(id(p.rule))),
                amount_minor: Set(p.amount.to_minor().unwrap_or_default()),
                currency: Set(Text(p.amount.currency())),
                status: Set(Text(p.status)),
                approved_by: Set(p.approved_at.and(finance)),
                approved_at: Set(p.approved_at),
                paid_at: Set(p.paid_at),
                paid_reference: Set(p.paid_reference.clone()),
                rejected_reason: Set(p.rejected_reason.clone()),
                batch_id: Set(p.batch_id.clone()),
                created_at: Set(p.created_at),
                updated_at: Set(p.paid_at.or(p.approved_at).unwrap_or(p.created_at)),
                kind: Set(Text(EntryKind::Commission)),
                corrects_payout_id: Set(None),
                note: Set(None),
                created_by: Set(None),
                updated_by: Set(None),
                paid_on: Set(p.paid_at.map(|at| at.date_naive())),
                explanation: Set(Some(format!(
                    "{} % of attributed revenue ({} v1)",
                    (data.rules[p.rule].rate * Decimal::ONE_HUNDRED).normalize(),
                    data.rules[p.rule].name
                ))),
                dispute_id: Set(None),
                fx_rate: Set(None),
                payout_currency: Set(None),
                payout_amount_minor: Set(None),
                payout_rate: Set(None),
            }),
    )
    .await?;

    let partner_user = |partner: usize| {
        data.users
            .iter()
            .position(|u| u.partner == Some(partner))
            .map(id)
    };
    insert_chunks(
        &txn,
        data.disputes
            .iter()
            .enumerate()
            .map(|(i, d)| disputes::ActiveModel {
                id: Set(id(i)),
                organization_id: Set(org_id),
                partner_id: Set(id(d.partner)),
                deal_id: Set(Some(id(d.deal))),
                payout_id: Set(Some(id(d.payout))),
                reason: Set(d.reason.clone()),
                status: Set(Text(d.status)),
                resolution: Set(d.resolution.clone()),
                adjustment_payout_id: Set(None),
                opened_by: Set(partner_user(d.partner)),
                created_at: Set(d.created_at),
                resolved_at: Set(d.resolved_at),
            }),
    )
    .await?;

    let report = LoadReport {
        partners: data.partners.len(),
        deals: data.deals.len(),
        touchpoints: data.touchpoints.len(),
        payouts: data.payouts.len(),
        logins: data
            .users
            .iter()
            .map(|u| (u.role.to_string(), u.email.clone()))
            .collect(),
    };
    audit_events::ActiveModel {
        organization_id: Set(org_id),
        actor_user_id: Set(None),
        actor_label: Set("system".into()),
        action: Set(AuditAction::DemoDataLoaded.as_str().into()),
        entity_type: Set("organization".into()),
        entity_id: Set(Some(org_id)),
        before: Set(None),
        after: Set(Some(
            serde_json::json!({
                "partners": report.partners,
                "deals": report.deals,
                "touchpoints": report.touchpoints,
                "payouts": report.payouts,
            })
            .to_string(),
        )),
        request_id: Set(None),
        at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;

    if txn.get_database_backend() == DatabaseBackend::Postgres {
        advance_sequences(&txn).await?;
    }
    crate::repo::monthly_stats::rebuild(domain::ids::OrganizationId(org_id), &txn).await?;
    txn.commit().await?;
    // Fresh statistics, so the planners pick the indexes a company of this size needs; on
    // PostgreSQL also the visibility map, so sorted pages read their index alone.
    db.execute_unprepared(match db.get_database_backend() {
        DatabaseBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    })
    .await?;
    Ok(report)
}

async fn insert_chunks<C, A>(db: &C, rows: impl Iterator<Item = A>) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: ActiveModelTrait,
{
    let rows: Vec<A> = rows.collect();
    for chunk in rows.chunks(CHUNK) {
        A::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// PostgreSQL sequences do not move when ids are given explicitly: move them past the data.
async fn advance_sequences(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for table in [
        "organizations",
        "partners",
        "users",
        "commission_rules",
        "deals",
        "touchpoints",
        "attributions",
        "payouts",
        "disputes",
        "audit_events",
    ] {
        db.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .await?;
    }
    Ok(())
}
