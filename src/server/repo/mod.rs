//! Database access: free functions over `&impl ConnectionTrait` (so they work inside transactions)
//! that take and return domain types. Every query is filtered by the caller's
//! `Tenant`, passed first.

pub mod accounts;
pub mod audit;
pub mod commission_rules;
pub mod commissions;
pub mod dashboard;
pub mod deals;
pub mod disputes;
pub mod fx;
pub mod leaderboard;
pub mod monthly_stats;
pub mod organizations;
pub mod partner_stats;
pub mod partners;
pub mod payouts;
pub mod registrations;
pub mod users;

use sea_orm::DbErr;

use crate::domain::DomainError;

/// A stored value the domain refuses: the database holds something it should not.
pub(crate) fn corrupt(what: &str, err: DomainError) -> DbErr {
    DbErr::Custom(format!("stored {what} is invalid: {err}"))
}

/// Rows where any of `columns` contains `text`, ignoring case on both back ends (the column is
/// lower-cased too) and taking `%` and `_` literally.
pub(crate) fn contains_any<C>(text: &str, columns: &[C]) -> sea_orm::Condition
where
    C: sea_orm::ColumnTrait,
{
    use sea_orm::ExprTrait;
    use sea_orm::sea_query::{Expr, Func, LikeExpr};
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    columns
        .iter()
        .fold(sea_orm::Condition::any(), |any, column| {
            any.add(
                Expr::expr(Func::lower(Expr::col(*column)))
                    .like(LikeExpr::new(pattern.clone()).escape('\\')),
            )
        })
}
