//! `partner-attribution bench-attribution`: engine throughput on synthetic deals, one core.

use std::time::Instant;

use crate::synthetic;
use domain::attribution::{AttributionModel, Engine, ModelSettings, attribute};

pub struct Measurement {
    pub what: String,
    pub seconds: f64,
    pub deals: usize,
    pub touches: usize,
}

impl std::fmt::Display for Measurement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rate = |n: usize| n as f64 / self.seconds.max(1e-9);
        write!(
            f,
            "{:<28} {:>8.3} s {:>12.0} deals/s {:>12.0} touches/s",
            self.what,
            self.seconds,
            rate(self.deals),
            rate(self.touches)
        )
    }
}

/// Runs every model over `deals` synthetic deals, printing each measurement as it completes.
pub fn run(deals: usize, partners: i64, mut report: impl FnMut(&Measurement)) -> Vec<Measurement> {
    let started = Instant::now();
    let data = synthetic::deals(deals, partners, 42);
    eprintln!(
        "generated {} deals, {} touches, {} partners in {:.1} s",
        data.deals.len(),
        data.touches,
        partners,
        started.elapsed().as_secs_f64()
    );
    let settings = ModelSettings::default();
    let mut results = Vec::new();
    let mut measure = |what: String, work: &mut dyn FnMut() -> usize| {
        let started = Instant::now();
        let splits = work();
        let m = Measurement {
            what,
            seconds: started.elapsed().as_secs_f64(),
            deals: data.deals.len(),
            touches: data.touches,
        };
        std::hint::black_box(splits);
        report(&m);
        results.push(m);
    };
    for &model in AttributionModel::RULE_BASED {
        measure(model.to_string(), &mut || {
            data.deals
                .iter()
                .map(|deal| attribute(deal, model, &settings).map_or(0, |r| r.splits().len()))
                .sum()
        });
    }
    measure("all rule-based models".into(), &mut || {
        AttributionModel::RULE_BASED
            .iter()
            .map(|&model| {
                data.deals
                    .iter()
                    .map(|deal| attribute(deal, model, &settings).map_or(0, |r| r.splits().len()))
                    .sum::<usize>()
            })
            .sum()
    });
    for model in [AttributionModel::Markov, AttributionModel::Shapley] {
        measure(format!("{model} (learn + apply)"), &mut || {
            let Ok(mut engine) = Engine::new(settings.clone()) else {
                return 0;
            };
            engine.learn_for(&data.history, &[model]);
            data.deals
                .iter()
                .map(|deal| {
                    engine
                        .attribute(deal, model)
                        .map_or(0, |r| r.splits().len())
                })
                .sum()
        });
    }
    results
}

/// The process's peak resident memory, from /proc (Linux), in MiB.
pub fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
