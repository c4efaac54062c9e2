//! Deal registrations. A partner user's tenant reaches only its own partner's; decisions are
//! conditional updates on the expected status, so two managers deciding at once get one winner.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};

use crate::entities::text::Text;
use crate::entities::{deal_registrations as registrations, deals, partners};
use crate::tenant::Tenant;
use domain::deal::DealStage;
use domain::ids::{DealId, OrganizationId, PartnerId, RegistrationId, UserId};
use domain::registration::{Claim, RegistrationDraft, RegistrationStatus, account_key};

fn scoped(tenant: &Tenant) -> Select<registrations::Entity> {
    let mut select = registrations::Entity::find()
        .filter(registrations::Column::OrganizationId.eq(tenant.organization_id().0));
    if let Some(own) = tenant.partner_id() {
        select = select.filter(registrations::Column::PartnerId.eq(own.0));
    }
    select
}

pub struct NewRegistration<'a> {
    pub partner: PartnerId,
    pub by: UserId,
    pub draft: &'a RegistrationDraft,
    pub conflict: Option<String>,
    pub at: DateTime<Utc>,
}

pub async fn insert(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    new: &NewRegistration<'_>,
) -> Result<registrations::Model, DbErr> {
    let draft = new.draft;
    registrations::ActiveModel {
        organization_id: Set(tenant.organization_id().0),
        partner_id: Set(new.partner.0),
        registered_by: Set(Some(new.by.0)),
        account_name: Set(draft.account_name.clone()),
        account_key: Set(account_key(&draft.account_name)),
        contact_name: Set(draft.contact_name.clone()),
        contact_email: Set(draft.contact_email.to_string()),
        estimated_amount_minor: Set(draft
            .estimated
            .to_minor()
            .map_err(|e| DbErr::Custom(e.to_string()))?),
        currency: Set(Text(draft.estimated.currency())),
        expected_close_on: Set(draft.expected_close_on),
        notes: Set(draft.notes.clone()),
        status: Set(Text(RegistrationStatus::Pending)),
        conflict: Set(new.conflict.clone()),
        created_at: Set(new.at),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// One page (from 0), newest first, and how many match in all.
pub async fn page(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    status: Option<RegistrationStatus>,
    partner: Option<PartnerId>,
    page: u64,
    size: u64,
) -> Result<(Vec<registrations::Model>, u64), DbErr> {
    let mut select = scoped(tenant);
    if let Some(status) = status {
        select = select.filter(registrations::Column::Status.eq(status.as_str()));
    }
    if let Some(partner) = partner {
        select = select.filter(registrations::Column::PartnerId.eq(partner.0));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(registrations::Column::CreatedAt)
        .order_by_desc(registrations::Column::Id)
        .offset(page * size)
        .limit(size)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// How many there are in each status.
pub async fn counts(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
) -> Result<Vec<(RegistrationStatus, u64)>, DbErr> {
    let rows: Vec<(Text<RegistrationStatus>, i64)> = scoped(tenant)
        .select_only()
        .column(registrations::Column::Status)
        .column_as(registrations::Column::Id.count(), "n")
        .group_by(registrations::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .map(|(Text(status), n)| Ok((status, u64::try_from(n).unwrap_or_default())))
        .collect()
}

/// How many await a decision (only the flagged ones, if `flagged`).
pub async fn pending(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    flagged: bool,
) -> Result<u64, DbErr> {
    let mut select = scoped(tenant)
        .filter(registrations::Column::Status.eq(RegistrationStatus::Pending.as_str()));
    if flagged {
        select = select.filter(registrations::Column::Conflict.is_not_null());
    }
    select.count(db).await
}

pub async fn get(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: RegistrationId,
) -> Result<Option<registrations::Model>, DbErr> {
    scoped(tenant)
        .filter(registrations::Column::Id.eq(id.0))
        .one(db)
        .await
}

/// What a registration of `account` may collide with: open deals whose account shares its first
/// word (the domain compares the folded names), and live registrations of the same account.
pub async fn claims(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    account: &str,
) -> Result<Vec<Claim>, DbErr> {
    let org = tenant.organization_id().0;
    let key = account_key(account);
    let first = key.split(' ').next().unwrap_or_default();
    let mut out = Vec::new();
    if !first.is_empty() {
        let open: Vec<(String, String)> = deals::Entity::find()
            .select_only()
            .column(deals::Column::Name)
            .column(deals::Column::AccountName)
            .filter(deals::Column::OrganizationId.eq(org))
            .filter(deals::Column::Stage.eq(DealStage::Open.as_str()))
            .filter(super::contains_any(first, &[deals::Column::AccountName]))
            .limit(200)
            .into_tuple()
            .all(db)
            .await?;
        out.extend(
            open.into_iter()
                .map(|(deal, account)| Claim::OpenDeal { deal, account }),
        );
    }
    // Every partner's, whoever asks: the check runs for the company, not for the caller.
    // Partner, its name, the account, the registration's status and protection end.
    type Registered = (
        i64,
        String,
        String,
        Text<RegistrationStatus>,
        Option<NaiveDate>,
    );
    let registered: Vec<Registered> = registrations::Entity::find()
        .select_only()
        .column(registrations::Column::PartnerId)
        .column(partners::Column::Name)
        .column(registrations::Column::AccountName)
        .column(registrations::Column::Status)
        .column(registrations::Column::ProtectedUntil)
        .join(
            sea_orm::JoinType::InnerJoin,
            registrations::Entity::belongs_to(partners::Entity)
                .from(registrations::Column::PartnerId)
                .to(partners::Column::Id)
                .into(),
        )
        .filter(registrations::Column::OrganizationId.eq(org))
        .filter(registrations::Column::AccountKey.eq(key))
        .filter(registrations::Column::Status.is_in([
            RegistrationStatus::Pending.as_str(),
            RegistrationStatus::Approved.as_str(),
        ]))
        .into_tuple()
        .all(db)
        .await?;
    for (partner, partner_name, account, status, until) in registered {
        out.push(Claim::Registration {
            partner: PartnerId(partner),
            partner_name,
            account,
            status: status.0,
            until,
        });
    }
    Ok(out)
}

/// What deciding sets, beside the status.
pub enum Decision<'a> {
    Approve {
        deal: DealId,
        protected_until: NaiveDate,
    },
    Reject {
        reason: &'a str,
    },
}

/// Moves a pending registration to approved or rejected, only if it is still pending.
pub async fn decide(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: RegistrationId,
    decision: Decision<'_>,
    by: UserId,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = registrations::Entity::update_many()
        .col_expr(registrations::Column::DecidedBy, Expr::value(by.0))
        .col_expr(registrations::Column::DecidedAt, Expr::value(at))
        .filter(registrations::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(registrations::Column::Id.eq(id.0))
        .filter(registrations::Column::Status.eq(RegistrationStatus::Pending.as_str()));
    update = match decision {
        Decision::Approve {
            deal,
            protected_until,
        } => update
            .col_expr(
                registrations::Column::Status,
                Expr::value(RegistrationStatus::Approved.as_str()),
            )
            .col_expr(registrations::Column::DealId, Expr::value(deal.0))
            .col_expr(
                registrations::Column::ProtectedUntil,
                Expr::value(protected_until),
            ),
        Decision::Reject { reason } => update
            .col_expr(
                registrations::Column::Status,
                Expr::value(RegistrationStatus::Rejected.as_str()),
            )
            .col_expr(registrations::Column::RejectedReason, Expr::value(reason)),
    };
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// The organizations with a pending or approved registration (the expiry sweep's round).
pub async fn organizations_with_open(
    db: &impl ConnectionTrait,
) -> Result<Vec<OrganizationId>, DbErr> {
    let open = [
        RegistrationStatus::Pending.as_str(),
        RegistrationStatus::Approved.as_str(),
    ];
    let ids: Vec<i64> = registrations::Entity::find()
        .select_only()
        .column(registrations::Column::OrganizationId)
        .distinct()
        .filter(registrations::Column::Status.is_in(open))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(OrganizationId).collect())
}

/// Pending or approved registrations whose protection may have run out by `today`: approved
/// ones past their last protected day, pending ones registered more than `window_days` ago.
/// With the stage of an approved one's deal.
pub async fn running_out(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    today: NaiveDate,
    window_days: u32,
) -> Result<Vec<(registrations::Model, Option<String>)>, DbErr> {
    let registered_before = today
        .checked_sub_days(chrono::Days::new(u64::from(window_days)))
        .unwrap_or(today)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let due = registrations::Entity::find()
        .filter(registrations::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(
                            registrations::Column::Status.eq(RegistrationStatus::Approved.as_str()),
                        )
                        .add(registrations::Column::ProtectedUntil.lt(today)),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(registrations::Column::Status.eq(RegistrationStatus::Pending.as_str()))
                        .add(registrations::Column::CreatedAt.lt(registered_before)),
                ),
        )
        .all(db)
        .await?;
    let deal_ids: Vec<i64> = due.iter().filter_map(|r| r.deal_id).collect();
    let stages: std::collections::HashMap<i64, String> = deals::Entity::find()
        .select_only()
        .column(deals::Column::Id)
        .column(deals::Column::Stage)
        .filter(deals::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(deals::Column::Id.is_in(deal_ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(due
        .into_iter()
        .map(|r| {
            let stage = r.deal_id.and_then(|d| stages.get(&d).cloned());
            (r, stage)
        })
        .collect())
}

/// Moves a registration to expired, only if it is still in `from`.
pub async fn expire(
    tenant: &Tenant,
    db: &impl ConnectionTrait,
    id: RegistrationId,
    from: RegistrationStatus,
) -> Result<bool, DbErr> {
    let result = registrations::Entity::update_many()
        .col_expr(
            registrations::Column::Status,
            Expr::value(RegistrationStatus::Expired.as_str()),
        )
        .filter(registrations::Column::OrganizationId.eq(tenant.organization_id().0))
        .filter(registrations::Column::Id.eq(id.0))
        .filter(registrations::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
