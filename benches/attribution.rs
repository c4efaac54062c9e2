//! Criterion benchmarks of the attribution engine: `cargo bench --features ssr`.
//! For the million-deal figures, run `partner-attribution bench-attribution --deals 1000000`.

use backend::synthetic;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use partner_attribution::domain::attribution::{
    AttributionModel, Engine, ModelSettings, attribute,
};

fn rule_based(c: &mut Criterion) {
    let data = synthetic::deals(10_000, 1_000, 7);
    let settings = ModelSettings::default();
    let mut group = c.benchmark_group("rule-based");
    group.throughput(Throughput::Elements(data.deals.len() as u64));
    for &model in AttributionModel::RULE_BASED {
        group.bench_function(model.as_str(), |b| {
            b.iter(|| {
                for deal in &data.deals {
                    std::hint::black_box(attribute(deal, model, &settings).ok());
                }
            })
        });
    }
    group.finish();
}

fn data_driven(c: &mut Criterion) {
    let data = synthetic::deals(10_000, 200, 7);
    let mut engine = Engine::new(ModelSettings::default()).expect("default settings are valid");
    let mut group = c.benchmark_group("data-driven");
    group.throughput(Throughput::Elements(data.deals.len() as u64));
    group.bench_function("learn", |b| b.iter(|| engine.learn(&data.history)));
    engine.learn(&data.history);
    for model in [AttributionModel::Shapley, AttributionModel::Markov] {
        group.bench_function(model.as_str(), |b| {
            b.iter(|| {
                for deal in &data.deals {
                    std::hint::black_box(engine.attribute(deal, model).ok());
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, rule_based, data_driven);
criterion_main!(benches);
