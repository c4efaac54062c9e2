//! The core domain: organizations, users and their sessions, partners, deals, touchpoints,
//! attributions, commission rules, payouts, disputes and the append-only audit trail.
//!
//! Money is `BIGINT` minor units plus a currency code; fractions (shares, rates) are decimal text,
//! so neither database ever rounds them through a float.

use crate::schema_helpers::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ROLES: &[&str] = &[
    "admin",
    "partner_manager",
    "finance",
    "executive",
    "partner",
];
const PARTNER_TYPES: &[&str] = &[
    "reseller",
    "referral",
    "technology",
    "integrator",
    "agency",
    "marketplace",
    "distributor",
];
const PARTNER_STATUSES: &[&str] = &["invited", "onboarding", "active", "inactive"];
const PARTNER_TIERS: &[&str] = &["registered", "silver", "gold", "platinum"];
const DEAL_STAGES: &[&str] = &["open", "won", "lost"];
const TOUCHPOINT_KINDS: &[&str] = &[
    "referral",
    "introduction",
    "demo",
    "proposal",
    "co_sell",
    "negotiation",
    "technical_validation",
    "deal_registration",
    "marketplace_listing",
];
const ATTRIBUTION_MODELS: &[&str] = &[
    "equal_split",
    "first_touch",
    "last_touch",
    "time_decay",
    "role_based",
    "position_based",
    "w_shaped",
    "full_path",
    "j_shaped",
    "inverse_j",
    "shapley",
    "markov",
];
const RULE_SCOPES: &[&str] = &["all", "partner_type", "tier", "partner"];
const RULE_KINDS: &[&str] = &["percentage", "flat", "tiered", "spif"];
const PAYOUT_STATUSES: &[&str] = &["pending", "approved", "paid", "rejected"];
const DISPUTE_STATUSES: &[&str] = &["open", "under_review", "resolved", "rejected"];

#[derive(DeriveIden, Clone, Copy)]
enum Organizations {
    Table,
    Id,
    Name,
    Slug,
    BaseCurrency,
    PayableModel,
    Settings,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Role,
    PartnerId,
    Active,
    CreatedAt,
    LastLoginAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    Id,
    Data,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Partners {
    Table,
    Id,
    Name,
    PartnerType,
    Status,
    Tier,
    ContactName,
    ContactEmail,
    Website,
    Region,
    CommissionRate,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Deals {
    Table,
    Id,
    Name,
    AccountName,
    AmountMinor,
    Currency,
    Stage,
    ExpectedCloseOn,
    ClosedAt,
    Source,
    ExternalId,
    OwnerUserId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Touchpoints {
    Table,
    Id,
    DealId,
    PartnerId,
    Kind,
    OccurredAt,
    Note,
    ActorUserId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Attributions {
    Table,
    Id,
    DealId,
    Model,
    PartnerId,
    Share,
    AmountMinor,
    Currency,
    Explanation,
    ComputedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CommissionRules {
    Table,
    Id,
    Name,
    Scope,
    ScopeValue,
    Kind,
    Rate,
    AmountMinor,
    Currency,
    Bands,
    EffectiveFrom,
    EffectiveTo,
    Priority,
    Active,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Payouts {
    Table,
    Id,
    PartnerId,
    DealId,
    AttributionId,
    CommissionRuleId,
    AmountMinor,
    Currency,
    Status,
    ApprovedBy,
    ApprovedAt,
    PaidAt,
    PaidReference,
    RejectedReason,
    BatchId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Disputes {
    Table,
    Id,
    PartnerId,
    DealId,
    PayoutId,
    Reason,
    Status,
    Resolution,
    AdjustmentPayoutId,
    OpenedBy,
    CreatedAt,
    ResolvedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditEvents {
    Table,
    Id,
    ActorUserId,
    ActorLabel,
    Action,
    EntityType,
    EntityId,
    Before,
    After,
    RequestId,
    At,
}

/// Every tenant-owned table: `organization_id` referencing the organization, removed with it.
fn org_column<T: IntoIden + Clone>(table: T) -> (ColumnDef, ForeignKeyCreateStatement) {
    (
        big_integer(Alias::new("organization_id")),
        fk(
            table,
            Alias::new("organization_id"),
            Organizations::Table,
            Organizations::Id,
            ForeignKeyAction::Cascade,
        ),
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .col(id(Organizations::Id))
                    .col(string(Organizations::Name))
                    .col(string_uniq(Organizations::Slug))
                    .col(char_len(Organizations::BaseCurrency, 3))
                    .col(string(Organizations::PayableModel).default("equal_split"))
                    // Attribution model settings as JSON (domain::attribution::ModelSettings).
                    .col(text(Organizations::Settings).default("{}"))
                    .col(utc(Organizations::CreatedAt))
                    .check(one_of(
                        "ck_organizations_payable_model",
                        Organizations::PayableModel,
                        ATTRIBUTION_MODELS,
                    ))
                    .to_owned(),
            )
            .await?;

        let (org_col, org_fk) = org_column(Partners::Table);
        manager
            .create_table(
                Table::create()
                    .table(Partners::Table)
                    .col(id(Partners::Id))
                    .col(org_col)
                    .col(string(Partners::Name))
                    .col(string(Partners::PartnerType))
                    .col(string(Partners::Status))
                    .col(string(Partners::Tier))
                    .col(string_null(Partners::ContactName))
                    .col(string_null(Partners::ContactEmail))
                    .col(string_null(Partners::Website))
                    .col(string_null(Partners::Region))
                    .col(string(Partners::CommissionRate))
                    .col(utc(Partners::CreatedAt))
                    .col(utc(Partners::UpdatedAt))
                    .foreign_key(&mut org_fk.to_owned())
                    .check(one_of(
                        "ck_partners_type",
                        Partners::PartnerType,
                        PARTNER_TYPES,
                    ))
                    .check(one_of(
                        "ck_partners_status",
                        Partners::Status,
                        PARTNER_STATUSES,
                    ))
                    .check(one_of("ck_partners_tier", Partners::Tier, PARTNER_TIERS))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ux_partners_org_name",
                Partners::Table,
                &["name"],
                true,
            ))
            .await?;
        manager
            .create_index(org_index(
                "ix_partners_org_status",
                Partners::Table,
                &["status", "tier"],
                false,
            ))
            .await?;

        let (org_col, org_fk) = org_column(Users::Table);
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(id(Users::Id))
                    .col(org_col)
                    .col(string_uniq(Users::Email))
                    .col(string(Users::Name))
                    .col(string(Users::PasswordHash))
                    .col(string(Users::Role))
                    .col(big_integer_null(Users::PartnerId))
                    .col(boolean(Users::Active).default(true))
                    .col(utc(Users::CreatedAt))
                    .col(utc_null(Users::LastLoginAt))
                    .foreign_key(&mut org_fk.to_owned())
                    .foreign_key(&mut fk(
                        Users::Table,
                        Users::PartnerId,
                        Partners::Table,
                        Partners::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .check(one_of("ck_users_role", Users::Role, ROLES))
                    // A partner user belongs to exactly one partner; staff belong to none.
                    .check((
                        "ck_users_partner_link",
                        Expr::col(Users::Role)
                            .eq("partner")
                            .and(Expr::col(Users::PartnerId).is_not_null())
                            .or(Expr::col(Users::Role)
                                .ne("partner")
                                .and(Expr::col(Users::PartnerId).is_null())),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_users_org_role",
                Users::Table,
                &["role"],
                false,
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(string(Sessions::Id).primary_key())
                    .col(text(Sessions::Data))
                    .col(utc(Sessions::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sessions_expires_at")
                    .table(Sessions::Table)
                    .col(Sessions::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        let (org_col, org_fk) = org_column(Deals::Table);
        manager
            .create_table(
                Table::create()
                    .table(Deals::Table)
                    .col(id(Deals::Id))
                    .col(org_col)
                    .col(string(Deals::Name))
                    .col(string(Deals::AccountName))
                    .col(big_integer(Deals::AmountMinor))
                    .col(char_len(Deals::Currency, 3))
                    .col(string(Deals::Stage))
                    .col(date_null(Deals::ExpectedCloseOn))
                    .col(utc_null(Deals::ClosedAt))
                    .col(string(Deals::Source).default("manual"))
                    .col(string_null(Deals::ExternalId))
                    .col(big_integer_null(Deals::OwnerUserId))
                    .col(utc(Deals::CreatedAt))
                    .col(utc(Deals::UpdatedAt))
                    .foreign_key(&mut org_fk.to_owned())
                    .foreign_key(&mut fk(
                        Deals::Table,
                        Deals::OwnerUserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .check(one_of("ck_deals_stage", Deals::Stage, DEAL_STAGES))
                    .check(("ck_deals_amount", Expr::col(Deals::AmountMinor).gte(0)))
                    // Open deals have no close time; won and lost deals always have one.
                    .check((
                        "ck_deals_closed_at",
                        Expr::col(Deals::Stage)
                            .eq("open")
                            .and(Expr::col(Deals::ClosedAt).is_null())
                            .or(Expr::col(Deals::Stage)
                                .ne("open")
                                .and(Expr::col(Deals::ClosedAt).is_not_null())),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "ux_deals_org_source_external",
                &["source", "external_id"][..],
                true,
            ),
            (
                "ix_deals_org_stage_closed",
                &["stage", "closed_at"][..],
                false,
            ),
            (
                "ix_deals_org_expected_close",
                &["expected_close_on"][..],
                false,
            ),
            ("ix_deals_org_created", &["created_at"][..], false),
        ] {
            manager
                .create_index(org_index(name, Deals::Table, cols, unique))
                .await?;
        }

        let (org_col, org_fk) = org_column(Touchpoints::Table);
        manager
            .create_table(
                Table::create()
                    .table(Touchpoints::Table)
                    .col(id(Touchpoints::Id))
                    .col(org_col)
                    .col(big_integer(Touchpoints::DealId))
                    .col(big_integer(Touchpoints::PartnerId))
                    .col(string(Touchpoints::Kind))
                    .col(utc(Touchpoints::OccurredAt))
                    .col(text_null(Touchpoints::Note))
                    .col(big_integer_null(Touchpoints::ActorUserId))
                    .col(utc(Touchpoints::CreatedAt))
                    .foreign_key(&mut org_fk.to_owned())
                    .foreign_key(&mut fk(
                        Touchpoints::Table,
                        Touchpoints::DealId,
                        Deals::Table,
                        Deals::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Touchpoints::Table,
                        Touchpoints::PartnerId,
                        Partners::Table,
                        Partners::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Touchpoints::Table,
                        Touchpoints::ActorUserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .check(one_of(
                        "ck_touchpoints_kind",
                        Touchpoints::Kind,
                        TOUCHPOINT_KINDS,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_touchpoints_org_deal", &["deal_id", "occurred_at"][..]),
            (
                "ix_touchpoints_org_partner",
                &["partner_id", "occurred_at"][..],
            ),
        ] {
            manager
                .create_index(org_index(name, Touchpoints::Table, cols, false))
                .await?;
        }

        let (org_col, org_fk) = org_column(Attributions::Table);
        manager
            .create_table(
                Table::create()
                    .table(Attributions::Table)
                    .col(id(Attributions::Id))
                    .col(org_col)
                    .col(big_integer(Attributions::DealId))
                    .col(string(Attributions::Model))
                    .col(big_integer(Attributions::PartnerId))
                    .col(string(Attributions::Share))
                    .col(big_integer(Attributions::AmountMinor))
                    .col(char_len(Attributions::Currency, 3))
                    .col(text(Attributions::Explanation))
                    .col(utc(Attributions::ComputedAt))
                    .foreign_key(&mut org_fk.to_owned())
                    .foreign_key(&mut fk(
                        Attributions::Table,
                        Attributions::DealId,
                        Deals::Table,
                        Deals::Id,
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        Attributions::Table,
                        Attributions::PartnerId,
                        Partners::Table,
                        Partners::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .check(one_of(
                        "ck_attributions_model",
                        Attributions::Model,
                        ATTRIBUTION_MODELS,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            (
                "ux_attributions_deal_model_partner",
                &["deal_id", "model", "partner_id"][..],
                true,
            ),
            (
                "ix_attributions_org_model_partner",
                &["model", "partner_id"][..],
                false,
            ),
        ] {
            manager
                .create_index(org_index(name, Attributions::Table, cols, unique))
                .await?;
        }

        let (org_col, org_fk) = org_column(CommissionRules::Table);
        manager
            .create_table(
                Table::create()
                    .table(CommissionRules::Table)
                    .col(id(CommissionRules::Id))
                    .col(org_col)
                    .col(string(CommissionRules::Name))
                    .col(string(CommissionRules::Scope))
                    .col(string_null(CommissionRules::ScopeValue))
                    .col(string(CommissionRules::Kind))
                    .col(string_null(CommissionRules::Rate))
                    .col(big_integer_null(CommissionRules::AmountMinor))
                    .col(char_len_null(CommissionRules::Currency, 3))
                    .col(text_null(CommissionRules::Bands))
                    .col(date(CommissionRules::EffectiveFrom))
                    .col(date_null(CommissionRules::EffectiveTo))
                    .col(integer(CommissionRules::Priority).default(100))
                    .col(boolean(CommissionRules::Active).default(true))
                    .col(utc(CommissionRules::CreatedAt))
                    .foreign_key(&mut org_fk.to_owned())
                    .check(one_of(
                        "ck_rules_scope",
                        CommissionRules::Scope,
                        RULE_SCOPES,
                    ))
                    .check(one_of("ck_rules_kind", CommissionRules::Kind, RULE_KINDS))
                    .check((
                        "ck_rules_scope_value",
                        Expr::col(CommissionRules::Scope)
                            .eq("all")
                            .or(Expr::col(CommissionRules::ScopeValue).is_not_null()),
                    ))
                    .check((
                        "ck_rules_window",
                        Expr::col(CommissionRules::EffectiveTo)
                            .is_null()
                            .or(Expr::col(CommissionRules::EffectiveTo)
                                .gte(Expr::col(CommissionRules::EffectiveFrom))),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_rules_org_active_priority",
                CommissionRules::Table,
                &["active", "priority"],
                false,
            ))
            .await?;

        let (org_col, org_fk) = org_column(Payouts::Table);
        manager
            .create_table(
                Table::create()
                    .table(Payouts::Table)
                    .col(id(Payouts::Id))
                    .col(org_col)
                    .col(big_integer(Payouts::PartnerId))
                    .col(big_integer_null(Payouts::DealId))
                    .col(big_integer_null(Payouts::AttributionId))
                    .col(big_integer_null(Payouts::CommissionRuleId))
                    .col(big_integer(Payouts::AmountMinor))
                    .col(char_len(Payouts::Currency, 3))
                    .col(string(Payouts::Status))
                    .col(big_integer_null(Payouts::ApprovedBy))
                    .col(utc_null(Payouts::ApprovedAt))
                    .col(utc_null(Payouts::PaidAt))
                    .col(string_null(Payouts::PaidReference))
                    .col(text_null(Payouts::RejectedReason))
                    .col(string_null(Payouts::BatchId))
                    .col(utc(Payouts::CreatedAt))
                    .col(utc(Payouts::UpdatedAt))
                    .foreign_key(&mut org_fk.to_owned())
                    .foreign_key(&mut fk(
                        Payouts::Table,
                        Payouts::PartnerId,
                        Partners::Table,
                        Partners::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Payouts::Table,
                        Payouts::DealId,
                        Deals::Table,
                        Deals::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Payouts::Table,
                        Payouts::AttributionId,
                        Attributions::Table,
                        Attributions::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Payouts::Table,
                        Payouts::CommissionRuleId,
                        CommissionRules::Table,
                        CommissionRules::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        Payouts::Table,
                        Payouts::ApprovedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .check(one_of(
                        "ck_payouts_status",
                        Payouts::Status,
                        PAYOUT_STATUSES,
                    ))
                    .check(("ck_payouts_amount", Expr::col(Payouts::AmountMinor).gte(0)))
                    // Paid payouts always say when and were approved first.
                    .check((
                        "ck_payouts_paid",
                        Expr::col(Payouts::Status)
                            .ne("paid")
                            .or(Expr::col(Payouts::PaidAt)
                                .is_not_null()
                                .and(Expr::col(Payouts::ApprovedAt).is_not_null())),
                    ))
                    .check((
                        "ck_payouts_approved",
                        Expr::col(Payouts::Status)
                            .ne("approved")
                            .or(Expr::col(Payouts::ApprovedAt).is_not_null()),
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "ix_payouts_org_status_created",
                &["status", "created_at"][..],
            ),
            (
                "ix_payouts_org_partner_status",
                &["partner_id", "status"][..],
            ),
            ("ix_payouts_org_deal", &["deal_id"][..]),
        ] {
            manager
                .create_index(org_index(name, Payouts::Table, cols, false))
                .await?;
        }

        let (org_col, org_fk) = org_column(Disputes::Table);
        manager
            .create_table(
                Table::create()
                    .table(Disputes::Table)
                    .col(id(Disputes::Id))
                    .col(org_col)
                    .col(big_integer(Disputes::PartnerId))
                    .col(big_integer_null(Disputes::DealId))
                    .col(big_integer_null(Disputes::PayoutId))
                    .col(text(Disputes::Reason))
                    .col(string(Disputes::Status))
                    .col(text_null(Disputes::Resolution))
                    .col(big_integer_null(Disputes::AdjustmentPayoutId))
                    .col(big_integer_null(Disputes::OpenedBy))
                    .col(utc(Disputes::CreatedAt))
                    .col(utc_null(Disputes::ResolvedAt))
                    .foreign_key(&mut org_fk.to_owned())
                    .foreign_key(&mut fk(
                        Disputes::Table,
                        Disputes::PartnerId,
                        Partners::Table,
                        Partners::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Disputes::Table,
                        Disputes::DealId,
                        Deals::Table,
                        Deals::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Disputes::Table,
                        Disputes::PayoutId,
                        Payouts::Table,
                        Payouts::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Disputes::Table,
                        Disputes::AdjustmentPayoutId,
                        Payouts::Table,
                        Payouts::Id,
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        Disputes::Table,
                        Disputes::OpenedBy,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .check(one_of(
                        "ck_disputes_status",
                        Disputes::Status,
                        DISPUTE_STATUSES,
                    ))
                    .check((
                        "ck_disputes_subject",
                        Expr::col(Disputes::DealId)
                            .is_not_null()
                            .or(Expr::col(Disputes::PayoutId).is_not_null()),
                    ))
                    // Closed disputes carry their resolution and time.
                    .check((
                        "ck_disputes_closed",
                        Expr::col(Disputes::Status)
                            .is_in(["open", "under_review"])
                            .or(Expr::col(Disputes::ResolvedAt)
                                .is_not_null()
                                .and(Expr::col(Disputes::Resolution).is_not_null())),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(org_index(
                "ix_disputes_org_status_created",
                Disputes::Table,
                &["status", "created_at"],
                false,
            ))
            .await?;

        let (org_col, org_fk) = org_column(AuditEvents::Table);
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(id(AuditEvents::Id))
                    .col(org_col)
                    .col(big_integer_null(AuditEvents::ActorUserId))
                    .col(string(AuditEvents::ActorLabel))
                    .col(string(AuditEvents::Action))
                    .col(string(AuditEvents::EntityType))
                    .col(big_integer_null(AuditEvents::EntityId))
                    .col(text_null(AuditEvents::Before))
                    .col(text_null(AuditEvents::After))
                    .col(string_null(AuditEvents::RequestId))
                    .col(utc(AuditEvents::At))
                    .foreign_key(&mut org_fk.to_owned())
                    .foreign_key(&mut fk(
                        AuditEvents::Table,
                        AuditEvents::ActorUserId,
                        Users::Table,
                        Users::Id,
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("ix_audit_org_at", &["at"][..]),
            (
                "ix_audit_org_entity",
                &["entity_type", "entity_id", "at"][..],
            ),
        ] {
            manager
                .create_index(org_index(name, AuditEvents::Table, cols, false))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents, so foreign keys never dangle.
        for table in [
            AuditEvents::Table.into_iden(),
            Disputes::Table.into_iden(),
            Payouts::Table.into_iden(),
            CommissionRules::Table.into_iden(),
            Attributions::Table.into_iden(),
            Touchpoints::Table.into_iden(),
            Deals::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
            Partners::Table.into_iden(),
            Organizations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
