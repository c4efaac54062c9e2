//! Forecasting partner revenue, two ways:
//!
//! - **Weighted pipeline**: each open deal's amount times the share of similar deals that were
//!   won — similar meaning the same type of partner brought it in and its partner touches had
//!   reached the same pipeline stage.
//! - **Trend**: Holt's linear exponential smoothing over monthly partner revenue, with a range
//!   from its one-step errors, and a back-test that forecasts past quarters from the months
//!   before them and reports how far off it was.
//!
//! Amounts are `Decimal` in the base currency throughout; rates and smoothing weights are
//! `Decimal` too, so nothing here rounds through binary floating point.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, MathematicalOps};
use serde::{Deserialize, Serialize};

use super::labels::label_enum;
use super::partner::PartnerType;
use super::touchpoint::TouchpointKind;

label_enum! {
    /// How far partner work on a deal has got, from its touchpoint kinds.
    pub enum PipelineStage ("pipeline stage") {
        /// Referred, introduced, registered or listed: qualified, not yet worked.
        Qualified => "qualified",
        /// Demos, technical validation or co-selling.
        Evaluation => "evaluation",
        Proposal => "proposal",
        Negotiation => "negotiation",
    }
}

impl PipelineStage {
    pub fn of(kind: TouchpointKind) -> PipelineStage {
        use TouchpointKind as K;
        match kind {
            K::Referral | K::Introduction | K::DealRegistration | K::MarketplaceListing => {
                PipelineStage::Qualified
            }
            K::Demo | K::TechnicalValidation | K::CoSell => PipelineStage::Evaluation,
            K::Proposal => PipelineStage::Proposal,
            K::Negotiation => PipelineStage::Negotiation,
        }
    }

    /// The furthest stage `kinds` reached (`None` without touches).
    pub fn reached(kinds: impl Iterator<Item = TouchpointKind>) -> Option<PipelineStage> {
        kinds.map(PipelineStage::of).max()
    }
}

/// Below this many closed deals a (partner type, stage) pair borrows the stage's rate over every
/// partner type: a rate from three deals says more about luck than about the pair.
pub const MIN_CLOSED: i64 = 10;

/// Deals won and closed (won or lost), by partner type and stage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcomes(pub BTreeMap<(PartnerType, PipelineStage), (i64, i64)>);

/// A win rate and what it was learned from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WinRate {
    pub rate: Decimal,
    pub won: i64,
    pub closed: i64,
    /// Learned from the stage over every partner type (too few deals of this type).
    pub pooled: bool,
}

impl Outcomes {
    pub fn record(&mut self, partner_type: PartnerType, stage: PipelineStage, won: bool, n: i64) {
        let entry = self.0.entry((partner_type, stage)).or_default();
        if won {
            entry.0 += n;
        }
        entry.1 += n;
    }

    /// The win rate for deals of `partner_type` at `stage`; zero when nothing at that stage
    /// ever closed.
    pub fn rate(&self, partner_type: PartnerType, stage: PipelineStage) -> WinRate {
        let (won, closed) = self
            .0
            .get(&(partner_type, stage))
            .copied()
            .unwrap_or_default();
        if closed >= MIN_CLOSED {
            return WinRate {
                rate: Decimal::from(won) / Decimal::from(closed),
                won,
                closed,
                pooled: false,
            };
        }
        let (won, closed) = self
            .0
            .iter()
            .filter(|((_, s), _)| *s == stage)
            .fold((0, 0), |(w, c), (_, (won, closed))| (w + won, c + closed));
        WinRate {
            rate: if closed == 0 {
                Decimal::ZERO
            } else {
                Decimal::from(won) / Decimal::from(closed)
            },
            won,
            closed,
            pooled: true,
        }
    }
}

/// A forecast value with its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estimate {
    pub expected: Decimal,
    pub low: Decimal,
    pub high: Decimal,
}

/// Holt's linear trend model, with a damped trend, fitted to a monthly series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holt {
    pub alpha: Decimal,
    pub beta: Decimal,
    /// How much of the trend carries into each next month (1: all, a straight line).
    pub phi: Decimal,
    pub level: Decimal,
    pub trend: Decimal,
    /// Root mean square of the one-step-ahead errors while fitting.
    pub sigma: Decimal,
}

/// The fewest months a trend is fitted on.
pub const MIN_HISTORY: usize = 6;

/// z for a two-sided 80 % range under normal errors.
fn z80() -> Decimal {
    Decimal::new(128155, 5)
}

fn smooth(
    series: &[Decimal],
    alpha: Decimal,
    beta: Decimal,
    phi: Decimal,
) -> (Decimal, Decimal, Decimal) {
    let mut level = series[0];
    let mut trend = series[1] - series[0];
    let mut squared = Decimal::ZERO;
    for value in &series[1..] {
        let predicted = level + phi * trend;
        let error = *value - predicted;
        squared += error * error;
        let previous = level;
        level = alpha * *value + (Decimal::ONE - alpha) * predicted;
        trend = beta * (level - previous) + (Decimal::ONE - beta) * phi * trend;
    }
    (level, trend, squared)
}

/// φ + φ² + … + φ^h: how much trend `h` months carry.
fn damped(phi: Decimal, h: u32) -> Decimal {
    (1..=h)
        .scan(Decimal::ONE, |power, _| {
            *power *= phi;
            Some(*power)
        })
        .sum()
}

impl Holt {
    /// Fits the smoothing weights by the least squared one-step errors over a grid (alpha in
    /// tenths, beta in {0.05, 0.1, 0.2, 0.3}, phi in {0.8, 0.9, 0.98, 1}: a damped trend keeps
    /// a noisy history from running away); `None` with fewer than `MIN_HISTORY` months.
    pub fn fit(series: &[Decimal]) -> Option<Holt> {
        if series.len() < MIN_HISTORY {
            return None;
        }
        let betas = [
            Decimal::new(5, 2),
            Decimal::new(1, 1),
            Decimal::new(2, 1),
            Decimal::new(3, 1),
        ];
        // Undamped first: on a tie the straight line wins.
        let phis = [
            Decimal::ONE,
            Decimal::new(98, 2),
            Decimal::new(9, 1),
            Decimal::new(8, 1),
        ];
        // Fitted on the series scaled to at most 1 and scaled back: the fit is the same at any
        // scale, and the squared errors of large amounts would overflow the decimal. A power
        // of ten keeps the division exact.
        let largest = series.iter().map(|v| v.abs()).max().unwrap_or_default();
        let mut scale = Decimal::ONE;
        while scale < largest {
            scale *= Decimal::TEN;
        }
        let unit: Vec<Decimal> = series.iter().map(|v| *v / scale).collect();
        let mut best: Option<(Decimal, Holt)> = None;
        for phi in phis {
            for a in 1..=9 {
                let alpha = Decimal::new(a, 1);
                for beta in betas {
                    let (level, trend, squared) = smooth(&unit, alpha, beta, phi);
                    if best.as_ref().is_none_or(|(s, _)| squared < *s) {
                        let steps = Decimal::from(series.len() - 1);
                        let sigma = (squared / steps).sqrt().unwrap_or_default();
                        let holt = Holt {
                            alpha,
                            beta,
                            phi,
                            level: level * scale,
                            trend: trend * scale,
                            sigma: sigma * scale,
                        };
                        best = Some((squared, holt));
                    }
                }
            }
        }
        best.map(|(_, holt)| holt)
    }

    /// The value `h` months after the last one fitted (h ≥ 1), never below zero.
    pub fn point(&self, h: u32) -> Decimal {
        (self.level + damped(self.phi, h) * self.trend).max(Decimal::ZERO)
    }

    /// The variance multiplier of an `h`-step forecast: 1 + Σ_{j<h} α²(1 + β(φ + … + φ^j))².
    fn spread(&self, h: u32) -> Decimal {
        (1..h).fold(Decimal::ONE, |sum, j| {
            let c = self.alpha * (Decimal::ONE + self.beta * damped(self.phi, j));
            sum + c * c
        })
    }

    /// The sum of the months `first..first + n` ahead (first ≥ 1), with an 80 % range.
    pub fn total(&self, first: u32, n: u32) -> Estimate {
        let months = first..first + n;
        let expected: Decimal = months.clone().map(|h| self.point(h)).sum();
        // σ·√(Σ spread) rather than √(Σ σ²·spread): σ² of large amounts overflows.
        let spread: Decimal = months.map(|h| self.spread(h)).sum();
        let half = z80() * self.sigma * spread.sqrt().unwrap_or_default();
        Estimate {
            expected,
            low: (expected - half).max(Decimal::ZERO),
            high: expected + half,
        }
    }
}

/// One past quarter forecast from the months before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backtest {
    /// The index in the series of the quarter's first month.
    pub start: usize,
    pub forecast: Decimal,
    pub actual: Decimal,
}

impl Backtest {
    /// |forecast − actual| / actual, `None` for a quarter without revenue.
    pub fn error(&self) -> Option<Decimal> {
        (!self.actual.is_zero()).then(|| ((self.forecast - self.actual) / self.actual).abs())
    }
}

/// Forecasts each 3-month block starting at `starts` (indices into `series`, each with a
/// whole quarter after it) from the months before it.
pub fn backtest(series: &[Decimal], starts: &[usize]) -> Vec<Backtest> {
    starts
        .iter()
        .filter(|start| **start + 3 <= series.len())
        .filter_map(|start| {
            let holt = Holt::fit(&series[..*start])?;
            Some(Backtest {
                start: *start,
                forecast: holt.total(1, 3).expected,
                actual: series[*start..*start + 3].iter().sum(),
            })
        })
        .collect()
}

/// The mean of the back-test errors (mean absolute percentage error), `None` without any.
pub fn mean_error(tests: &[Backtest]) -> Option<Decimal> {
    let errors: Vec<Decimal> = tests.iter().filter_map(Backtest::error).collect();
    (!errors.is_empty()).then(|| errors.iter().sum::<Decimal>() / Decimal::from(errors.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn stages_follow_the_furthest_touch() {
        use TouchpointKind as K;
        assert_eq!(PipelineStage::reached([].into_iter()), None);
        assert_eq!(
            PipelineStage::reached([K::Referral, K::Proposal, K::Demo].into_iter()),
            Some(PipelineStage::Proposal)
        );
        assert_eq!(
            PipelineStage::reached([K::DealRegistration].into_iter()),
            Some(PipelineStage::Qualified)
        );
    }

    #[test]
    fn thin_pairs_borrow_the_stage_rate() {
        let mut outcomes = Outcomes::default();
        let s = PipelineStage::Proposal;
        outcomes.record(PartnerType::Reseller, s, true, 6);
        outcomes.record(PartnerType::Reseller, s, false, 4);
        outcomes.record(PartnerType::Agency, s, true, 1);
        outcomes.record(PartnerType::Agency, s, false, 1);
        let reseller = outcomes.rate(PartnerType::Reseller, s);
        assert_eq!((reseller.rate, reseller.pooled), (dec("0.6"), false));
        // 2 agency deals: the stage over both types, 7 of 12.
        let agency = outcomes.rate(PartnerType::Agency, s);
        assert_eq!((agency.won, agency.closed, agency.pooled), (7, 12, true));
        let none = outcomes.rate(PartnerType::Agency, PipelineStage::Negotiation);
        assert_eq!(none.rate, Decimal::ZERO);
    }

    #[test]
    fn a_straight_line_is_continued_exactly() {
        let series: Vec<Decimal> = (0..12).map(|m| Decimal::from(100 + 10 * m)).collect();
        let holt = Holt::fit(&series).unwrap();
        assert_eq!(holt.sigma, Decimal::ZERO);
        assert_eq!(holt.point(1), dec("220"));
        let quarter = holt.total(1, 3);
        assert_eq!(quarter.expected, dec("690"));
        assert_eq!((quarter.low, quarter.high), (dec("690"), dec("690")));
    }

    #[test]
    fn amounts_whose_squares_overflow_the_decimal_still_fit() {
        // 10^20 a month: a squared error of 10^40 is past the decimal's 7.9 × 10^28.
        let big = Decimal::from(10u128.pow(20));
        let series: Vec<Decimal> = (0..12)
            .map(|m| big + Decimal::from(m % 2) * Decimal::from(10u128.pow(18)))
            .collect();
        let holt = Holt::fit(&series).unwrap();
        let quarter = holt.total(1, 3);
        assert!(holt.sigma > Decimal::ZERO);
        assert!(quarter.low < quarter.expected && quarter.expected < quarter.high);
        assert!(
            quarter.expected > big * Decimal::from(2) && quarter.expected < big * Decimal::from(4)
        );
    }

    #[test]
    fn noise_widens_the_range_further_out() {
        let series: Vec<Decimal> = (0..18)
            .map(|m| Decimal::from(1000 + 20 * m + if m % 2 == 0 { 60 } else { -60 }))
            .collect();
        let holt = Holt::fit(&series).unwrap();
        let near = holt.total(1, 3);
        let far = holt.total(4, 3);
        assert!(near.low < near.expected && near.expected < near.high);
        assert!(far.high - far.low > near.high - near.low);
    }

    #[test]
    fn a_damped_trend_flattens_further_out() {
        let holt = Holt {
            alpha: Decimal::new(5, 1),
            beta: Decimal::new(1, 1),
            phi: Decimal::new(5, 1),
            level: dec("100"),
            trend: dec("10"),
            sigma: Decimal::ZERO,
        };
        // 100 + 10 × (0.5), then + 10 × (0.5 + 0.25), …: never past 100 + 10.
        assert_eq!(holt.point(1), dec("105"));
        assert_eq!(holt.point(2), dec("107.5"));
        assert!(holt.point(24) < dec("110"));
    }

    #[test]
    fn too_short_a_history_has_no_trend() {
        assert!(Holt::fit(&[dec("1"), dec("2"), dec("3")]).is_none());
    }

    #[test]
    fn backtests_compare_each_quarter_with_what_happened() {
        let series: Vec<Decimal> = (0..15).map(|m| Decimal::from(100 + 10 * m)).collect();
        let tests = backtest(&series, &[6, 9, 12, 14]);
        // 14 has no whole quarter after it.
        assert_eq!(tests.len(), 3);
        for test in &tests {
            assert_eq!(test.forecast, test.actual);
            assert_eq!(test.error(), Some(Decimal::ZERO));
        }
        let off = Backtest {
            start: 0,
            forecast: dec("90"),
            actual: dec("100"),
        };
        assert_eq!(off.error(), Some(dec("0.1")));
        assert_eq!(mean_error(&[off, off]), Some(dec("0.1")));
    }
}
