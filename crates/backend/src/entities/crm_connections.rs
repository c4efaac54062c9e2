use sea_orm::entity::prelude::*;

use super::text::Text;
use domain::crm::CrmKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "crm_connections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub kind: Text<CrmKind>,
    pub base_url: String,
    /// Sealed: open with `server::crm::vault`.
    pub credentials: Option<String>,
    pub webhook_secret: Option<String>,
    pub settings: String,
    pub enabled: bool,
    pub synced_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub updated_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
