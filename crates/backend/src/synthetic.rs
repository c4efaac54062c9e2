//! Synthetic deals for benchmarks: many deals, a few partners each, seeded and reproducible.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use domain::attribution::{DealInput, HistoricalDeal, Touch};
use domain::ids::{DealId, PartnerId};
use domain::money::{Currency, Money};
use domain::touchpoint::TouchpointKind;

pub struct Synthetic {
    /// Every deal with an amount, to attribute (the rule-based models ignore won or lost).
    pub deals: Vec<DealInput>,
    /// The same deals as history (about half won), for the data-driven models.
    pub history: Vec<HistoricalDeal>,
    pub touches: usize,
}

/// `count` closed deals over `partners` partners: 1–5 partners (3 on average) and 2 more touches
/// than partners on average (5 in all).
pub fn deals(count: usize, partners: i64, seed: u64) -> Synthetic {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let start: DateTime<Utc> = Utc
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let mut deals = Vec::with_capacity(count);
    let mut history = Vec::with_capacity(count);
    let mut touch_count = 0;
    for index in 0..count {
        let closed_at = start + Duration::seconds(rng.gen_range(0..365 * 86_400));
        let on_deal: Vec<PartnerId> = (0..rng.gen_range(1..=5))
            .map(|_| PartnerId(rng.gen_range(1..=partners)))
            .collect();
        let n = on_deal.len() + rng.gen_range(0..=4);
        let touches: Vec<Touch> = (0..n)
            .map(|i| Touch {
                partner: on_deal
                    .get(i)
                    .copied()
                    .unwrap_or_else(|| on_deal[rng.gen_range(0..on_deal.len())]),
                kind: TouchpointKind::ALL[rng.gen_range(0..TouchpointKind::ALL.len())],
                at: closed_at - Duration::seconds(rng.gen_range(0..180 * 86_400)),
            })
            .collect();
        touch_count += touches.len();
        // Deals with more partners win more often, so the data-driven models have a signal.
        let won = rng.gen_bool(0.25 + 0.08 * on_deal.len() as f64);
        deals.push(DealInput {
            deal: DealId(index as i64 + 1),
            amount: Money::from_minor(rng.gen_range(100_000..50_000_000), Currency::USD),
            closed_at,
            touches: touches.clone(),
        });
        history.push(HistoricalDeal {
            won,
            closed_at,
            touches,
        });
    }
    Synthetic {
        deals,
        history,
        touches: touch_count,
    }
}

/// Writes the deals as the analyst command's input files, `deals.csv` and `touchpoints.csv`.
pub fn write_csv(data: &Synthetic, dir: &std::path::Path) -> Result<(), csv::Error> {
    std::fs::create_dir_all(dir)?;
    let mut deals = csv::Writer::from_path(dir.join("deals.csv"))?;
    deals.write_record(["deal_id", "amount", "currency", "closed_at", "status"])?;
    let mut touches = csv::Writer::from_path(dir.join("touchpoints.csv"))?;
    touches.write_record(["deal_id", "partner_id", "kind", "occurred_at"])?;
    for (deal, past) in data.deals.iter().zip(&data.history) {
        let id = format!("D{}", deal.deal);
        deals.write_record([
            id.as_str(),
            &deal.amount.amount().to_string(),
            deal.amount.currency().code(),
            &deal
                .closed_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            if past.won { "won" } else { "lost" },
        ])?;
        for touch in &deal.touches {
            touches.write_record([
                id.as_str(),
                &format!("P{}", touch.partner),
                touch.kind.as_str(),
                &touch.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            ])?;
        }
    }
    deals.flush()?;
    touches.flush()?;
    Ok(())
}
