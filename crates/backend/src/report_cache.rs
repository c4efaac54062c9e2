//! Expensive report results remembered per organization and period until anything in the
//! organization changes. Every change is audited, so the organization's newest audit event is
//! the version of its data: a result computed at one version is served while that version
//! holds. Only a cache — each app server keeps its own, and a miss recomputes.

use std::collections::HashMap;
use std::sync::Mutex;

use domain::reporting::DateRange;
use wire::reports::ModelComparison;

/// Results kept at most; past this the cache starts over.
const CAPACITY: usize = 256;

#[derive(Default)]
pub struct ReportCache {
    models: Mutex<HashMap<(i64, DateRange), (i64, ModelComparison)>>,
}

impl ReportCache {
    /// The model comparison of `organization` over `range`, if computed at `version`.
    pub fn models(
        &self,
        organization: i64,
        range: DateRange,
        version: i64,
    ) -> Option<ModelComparison> {
        let entries = self.models.lock().ok()?;
        entries
            .get(&(organization, range))
            .filter(|(at, _)| *at == version)
            .map(|(_, report)| report.clone())
    }

    pub fn keep_models(
        &self,
        organization: i64,
        range: DateRange,
        version: i64,
        report: &ModelComparison,
    ) {
        if let Ok(mut entries) = self.models.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert((organization, range), (version, report.clone()));
        }
    }
}
