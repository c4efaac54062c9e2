//! Payouts: the queue finance works through (filters, totals per status, pages) and the
//! workflow's actions on one payout, a selection, or everything matching a filter.

pub use wire::payouts::*;

use super::AppError;
use crate::domain::ids::{PartnerId, PayoutId};
use crate::domain::payout::PayoutActionForm;
use crate::domain::reporting::Period;
use leptos::prelude::*;

#[server(endpoint = "payouts/list")]
pub async fn list_payouts(
    #[server(default)] filter: PayoutFilter,
    sort: Option<PayoutSort>,
    descending: Option<bool>,
    page: Option<u64>,
) -> Result<PayoutPage, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::payouts::list(
            &caller,
            filter,
            sort.unwrap_or(PayoutSort::Created),
            descending.unwrap_or(true),
            page.unwrap_or(0),
        )
        .await
    })
    .await
}

/// One payout: approve, reject (with the reason) or mark paid (with reference and date). A
/// payout the action cannot apply to is an error saying why.
#[server(endpoint = "payouts/act")]
pub async fn act_on_payout(id: PayoutId, form: PayoutActionForm) -> Result<PayoutRow, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::payouts::act_on_one(&caller, id, form).await })
        .await
}

/// Many payouts in one transaction. `idempotency_key` (chosen by the client, one per intended
/// action) makes a repeated request return the first one's result instead of acting again.
#[server(endpoint = "payouts/bulk")]
pub async fn act_on_payouts(
    selection: PayoutSelection,
    form: PayoutActionForm,
    idempotency_key: String,
) -> Result<BulkResult, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::payouts::act_on_many(&caller, selection, form, idempotency_key).await
    })
    .await
}

/// Partner earnings (pending / approved / paid) for a period, optionally for one partner.
#[server(endpoint = "payouts/earnings")]
pub async fn load_earnings(
    period: Option<Period>,
    partner_id: Option<PartnerId>,
) -> Result<Earnings, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::payouts::earnings(&caller, period.unwrap_or(Period::Last12Months), partner_id)
            .await
    })
    .await
}

/// Turns the four-eyes rule on or off: with it, nobody approves a commission they created or
/// last changed. Returns the new setting.
#[server(endpoint = "payouts/four-eyes")]
pub async fn set_four_eyes(enabled: bool) -> Result<bool, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move { services::payouts::set_four_eyes(&caller, enabled).await })
        .await
}

#[server(endpoint = "payouts/statement")]
pub async fn load_statement(
    partner_id: PartnerId,
    period: Option<Period>,
) -> Result<Statement, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::payouts::statement(&caller, partner_id, period.unwrap_or(Period::LastQuarter))
            .await
    })
    .await
}
