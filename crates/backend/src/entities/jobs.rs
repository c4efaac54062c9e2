use sea_orm::entity::prelude::*;

use super::text::Text;
use domain::job::JobKind;
use domain::job::JobStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: Text<JobKind>,
    /// The import, sync or delivery; 0 for a sweep.
    pub subject_id: i64,
    pub organization_id: Option<i64>,
    pub status: Text<JobStatus>,
    /// Claims since the last one that ended cleanly.
    pub attempts: i32,
    pub run_after: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    pub leased_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
