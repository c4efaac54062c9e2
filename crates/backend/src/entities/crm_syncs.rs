use sea_orm::entity::prelude::*;

use super::text::Text;
use domain::crm::SyncMode;
use domain::crm::SyncStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "crm_syncs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub connection_id: i64,
    pub mode: Text<SyncMode>,
    pub status: Text<SyncStatus>,
    pub page_cursor: Option<String>,
    pub since: Option<DateTimeUtc>,
    pub seen_until: Option<DateTimeUtc>,
    pub total_records: Option<i64>,
    pub fetched_records: i64,
    pub created_records: i64,
    pub updated_records: i64,
    pub unchanged_records: i64,
    pub failed_records: i64,
    pub written_back: i64,
    pub failure: Option<String>,
    pub not_before: Option<DateTimeUtc>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
