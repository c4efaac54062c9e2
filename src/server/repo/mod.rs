//! Database access: free functions over `&impl ConnectionTrait` (so they work inside transactions)
//! that take and return domain types. Every query is filtered by the caller's
//! `Tenant`, passed first.

pub mod accounts;
pub mod dashboard;
pub mod deals;
pub mod leaderboard;
pub mod organizations;
pub mod partners;
pub mod users;

use sea_orm::DbErr;

use crate::domain::DomainError;

/// A stored value the domain refuses: the database holds something it should not.
pub(crate) fn corrupt(what: &str, err: DomainError) -> DbErr {
    DbErr::Custom(format!("stored {what} is invalid: {err}"))
}
