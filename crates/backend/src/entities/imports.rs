use sea_orm::entity::prelude::*;

use super::text::Text;
use domain::import::ImportKind;
use domain::import::ImportMode;
use domain::import::ImportStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub kind: Text<ImportKind>,
    pub mode: Text<ImportMode>,
    pub status: Text<ImportStatus>,
    pub file_name: String,
    pub content: String,
    pub mapping: String,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub created_rows: i64,
    pub updated_rows: i64,
    pub unchanged_rows: i64,
    pub failed_rows: i64,
    pub failure: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
