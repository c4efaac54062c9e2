//! Demo data: a believable company with partners, deals, touchpoints, attributions, payouts and
//! disputes. `generate` is deterministic (same seed and day, same company) and touches no database;
//! `load` writes it into an empty database. The same generator scales for benchmarks.

mod generate;
mod load;
mod names;

pub use generate::{DemoData, generate};
pub use load::{DEMO_PASSWORD, LoadReport, load, load_if_empty};
