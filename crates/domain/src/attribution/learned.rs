//! What the data-driven models learn from closed deals (won and lost).
//!
//! - **Shapley** (Dalessandro et al. 2012): the value of a coalition of partners is its win rate
//!   among closed deals touched by exactly that coalition, shrunk toward the overall win rate when
//!   the coalition was seen rarely: v(S) = (wins(S) + k·p̄) / (deals(S) + k), v(∅) = 0. A partner's
//!   credit on a deal is its Shapley value over the deal's partners: exact up to a configured number
//!   of partners, above that estimated from seeded random orderings (Castro et al. 2009).
//! - **Markov** (Anderl et al. 2016): a first-order chain start → partners → won | lost over each
//!   closed deal's partner sequence (repeats of one partner in a row collapsed). A partner's removal
//!   effect is the share of the win probability lost when paths through it end in "lost", solved
//!   exactly from the absorbing chain's fundamental matrix — no simulation.
//!
//! Arithmetic here is `f64` (probabilities, not money); values become decimals once, at the end.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap as HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Touch;
use crate::ids::PartnerId;

/// A closed deal as history for the data-driven models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoricalDeal {
    pub won: bool,
    pub closed_at: DateTime<Utc>,
    pub touches: Vec<Touch>,
}

impl HistoricalDeal {
    /// The partners of the touches before the close, in time order, repeats in a row collapsed:
    /// the deal's path through the Markov chain.
    fn path(&self) -> Vec<PartnerId> {
        let mut touches: Vec<&Touch> = self
            .touches
            .iter()
            .filter(|t| t.at <= self.closed_at)
            .collect();
        touches.sort_by_key(|t| t.sort_key());
        let mut path: Vec<PartnerId> = Vec::with_capacity(touches.len());
        for touch in touches {
            if path.last() != Some(&touch.partner) {
                path.push(touch.partner);
            }
        }
        path
    }
}

/// How much history there was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HistorySize {
    pub closed: u32,
    pub won: u32,
    pub lost: u32,
}

/// Win counts per exact set of partners.
#[derive(Debug, Clone, Default)]
pub struct CoalitionRates {
    counts: HashMap<Vec<PartnerId>, (u32, u32)>,
    overall: f64,
    shrinkage: f64,
}

impl CoalitionRates {
    pub fn learn(history: &[HistoricalDeal], shrinkage: f64) -> CoalitionRates {
        let mut counts: HashMap<Vec<PartnerId>, (u32, u32)> = HashMap::default();
        let mut wins = 0u32;
        for deal in history {
            let coalition: BTreeSet<PartnerId> = deal
                .touches
                .iter()
                .filter(|t| t.at <= deal.closed_at)
                .map(|t| t.partner)
                .collect();
            let entry = counts.entry(coalition.into_iter().collect()).or_default();
            entry.0 += u32::from(deal.won);
            entry.1 += 1;
            wins += u32::from(deal.won);
        }
        let overall = if history.is_empty() {
            0.0
        } else {
            f64::from(wins) / history.len() as f64
        };
        CoalitionRates {
            counts,
            overall,
            shrinkage,
        }
    }

    /// v(S) for a sorted set of partners.
    pub fn value(&self, coalition: &[PartnerId]) -> f64 {
        if coalition.is_empty() {
            return 0.0;
        }
        let (wins, deals) = self.counts.get(coalition).copied().unwrap_or((0, 0));
        let (wins, deals) = (f64::from(wins), f64::from(deals));
        if deals + self.shrinkage == 0.0 {
            return self.overall;
        }
        (wins + self.shrinkage * self.overall) / (deals + self.shrinkage)
    }
}

/// Shapley values of `partners` (sorted, distinct) and whether they are exact.
pub struct ShapleyValues {
    pub values: Vec<f64>,
    pub coalition_value: f64,
    /// Half-width of a 95 % confidence interval per value when estimated by sampling.
    pub error_bound: Option<f64>,
}

pub fn shapley(
    rates: &CoalitionRates,
    partners: &[PartnerId],
    exact_up_to: usize,
    samples: u32,
    seed: u64,
) -> ShapleyValues {
    let n = partners.len();
    let coalition_value = rates.value(partners);
    if n <= exact_up_to.min(20) {
        return ShapleyValues {
            values: exact_shapley(rates, partners),
            coalition_value,
            error_bound: None,
        };
    }
    // Castro et al. 2009: the mean marginal contribution over random orderings. Values lie in
    // [0, 1], so by Hoeffding |estimate − φ| ≤ sqrt(ln(2/0.05) / (2m)) with 95 % confidence.
    let mut rng = SplitMix64(seed);
    let mut sums = vec![0.0; n];
    let mut order: Vec<usize> = (0..n).collect();
    let mut prefix: Vec<PartnerId> = Vec::with_capacity(n);
    for _ in 0..samples {
        for i in (1..n).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        prefix.clear();
        let mut before = 0.0;
        for &member in &order {
            let at = prefix.partition_point(|p| *p < partners[member]);
            prefix.insert(at, partners[member]);
            let after = rates.value(&prefix);
            sums[member] += after - before;
            before = after;
        }
    }
    let m = f64::from(samples.max(1));
    ShapleyValues {
        values: sums.into_iter().map(|s| s / m).collect(),
        coalition_value,
        error_bound: Some(((2.0f64 / 0.05).ln() / (2.0 * m)).sqrt()),
    }
}

/// φ_i = Σ over S ⊆ N∖{i} of |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S)), over all 2^n subsets.
fn exact_shapley(rates: &CoalitionRates, partners: &[PartnerId]) -> Vec<f64> {
    let n = partners.len();
    let mut value = vec![0.0; 1 << n];
    let mut members: Vec<PartnerId> = Vec::with_capacity(n);
    for (mask, slot) in value.iter_mut().enumerate().skip(1) {
        members.clear();
        members.extend((0..n).filter(|i| mask & (1 << i) != 0).map(|i| partners[i]));
        *slot = rates.value(&members);
    }
    // weight[s] = s!(n-s-1)!/n!
    let factorial = |k: usize| (1..=k).map(|x| x as f64).product::<f64>();
    let weight: Vec<f64> = (0..n)
        .map(|s| factorial(s) * factorial(n - s - 1) / factorial(n))
        .collect();
    (0..n)
        .map(|i| {
            let bit = 1 << i;
            (0..(1usize << n))
                .filter(|mask| mask & bit == 0)
                .map(|mask| weight[mask.count_ones() as usize] * (value[mask | bit] - value[mask]))
                .sum()
        })
        .collect()
}

/// Removal effects of every partner seen in the history.
#[derive(Debug, Clone, Default)]
pub struct RemovalEffects {
    pub effects: HashMap<PartnerId, f64>,
    pub win_probability: f64,
}

impl RemovalEffects {
    pub fn learn(history: &[HistoricalDeal]) -> RemovalEffects {
        // State 0 is the start; partners are 1..=P in id order, so the result never depends on
        // the order of the history.
        let paths: Vec<(Vec<PartnerId>, bool)> =
            history.iter().map(|d| (d.path(), d.won)).collect();
        let ids: BTreeMap<PartnerId, usize> = paths
            .iter()
            .flat_map(|(path, _)| path.iter().copied())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .enumerate()
            .map(|(i, id)| (id, i + 1))
            .collect();
        let states = ids.len() + 1;
        let mut to_state = vec![vec![0u32; states]; states];
        let mut to_won = vec![0u32; states];
        let mut totals = vec![0u32; states];
        for (path, won) in &paths {
            let mut from = 0usize;
            for partner in path {
                let to = ids[partner];
                to_state[from][to] += 1;
                totals[from] += 1;
                from = to;
            }
            to_won[from] += u32::from(*won);
            totals[from] += 1;
        }
        // A = I − Q over transient states; r = one-step probabilities of winning.
        let mut a = vec![vec![0.0; states]; states];
        let mut r = vec![0.0; states];
        for i in 0..states {
            a[i][i] = 1.0;
            if totals[i] == 0 {
                continue;
            }
            let total = f64::from(totals[i]);
            for j in 0..states {
                a[i][j] -= f64::from(to_state[i][j]) / total;
            }
            r[i] = f64::from(to_won[i]) / total;
        }
        let Some(n) = invert(a) else {
            return RemovalEffects::default();
        };
        // x = N r: the probability of winning from each state.
        let x: Vec<f64> = n
            .iter()
            .map(|row| row.iter().zip(&r).map(|(a, b)| a * b).sum())
            .collect();
        let win_probability = x[0];
        // Removing state i sends every path that reaches it to "lost": the win probability drops
        // by P(reach i from start) · x_i, where P(reach i) = N[0][i] / N[i][i].
        let effects = ids
            .iter()
            .map(|(&partner, &i)| {
                let effect = if win_probability > 0.0 && n[i][i] != 0.0 {
                    (n[0][i] / n[i][i]) * x[i] / win_probability
                } else {
                    0.0
                };
                (partner, effect.clamp(0.0, 1.0))
            })
            .collect();
        RemovalEffects {
            effects,
            win_probability,
        }
    }
}

/// Gauss-Jordan inverse with partial pivoting; `None` if singular. Rows live in one flat buffer
/// (the matrix beside the identity), so the inner loops run over contiguous slices.
fn invert(a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let width = 2 * n;
    let mut m = vec![0.0; n * width];
    for (i, row) in a.iter().enumerate() {
        m[i * width..i * width + n].copy_from_slice(row);
        m[i * width + n + i] = 1.0;
    }
    for col in 0..n {
        let pivot = (col..n).max_by(|&x, &y| {
            m[x * width + col]
                .abs()
                .total_cmp(&m[y * width + col].abs())
        })?;
        if m[pivot * width + col].abs() < 1e-12 {
            return None;
        }
        if pivot != col {
            for j in 0..width {
                m.swap(col * width + j, pivot * width + j);
            }
        }
        let p = m[col * width + col];
        m[col * width..(col + 1) * width]
            .iter_mut()
            .for_each(|v| *v /= p);
        let pivot_row: Vec<f64> = m[col * width..(col + 1) * width].to_vec();
        for (row, values) in m.chunks_exact_mut(width).enumerate() {
            let f = values[col];
            if row != col && f != 0.0 {
                values
                    .iter_mut()
                    .zip(&pivot_row)
                    .for_each(|(v, p)| *v -= f * p);
            }
        }
    }
    Some(m.chunks_exact(width).map(|row| row[n..].to_vec()).collect())
}

/// A small, fast, deterministic generator (Steele et al. 2014) for permutation sampling: the same
/// seed gives the same orderings on every machine.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}
