use domain::touchpoint::TouchpointKind;
use sea_orm::entity::prelude::*;

use super::text::Text;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "touchpoints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub deal_id: i64,
    pub partner_id: i64,
    pub kind: Text<TouchpointKind>,
    pub occurred_at: DateTimeUtc,
    pub note: Option<String>,
    pub actor_user_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// The id a CRM or an API client knows this record by (unique in the organization).
    pub external_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
