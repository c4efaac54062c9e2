//! The partner leaderboard: who brought the most, for a period and an attribution model, with
//! each partner's rank change since the period before.

pub use wire::leaderboard::*;

use super::AppError;
use crate::domain::attribution::AttributionModel;
use crate::domain::leaderboard::Ranking;
use crate::domain::reporting::Period;
use leptos::prelude::*;

#[server(endpoint = "partners/leaderboard")]
pub async fn load_leaderboard(
    period: Option<Period>,
    model: Option<AttributionModel>,
    ranking: Option<Ranking>,
) -> Result<Leaderboard, AppError> {
    use crate::server::context;
    use backend::services;
    context::serve(|caller| async move {
        services::leaderboard::board(
            &caller,
            period.unwrap_or(Period::ThisQuarter),
            model,
            ranking.unwrap_or(Ranking::Revenue),
        )
        .await
    })
    .await
}
