//! Shared UI pieces.

pub mod charts;
pub mod copy;
pub mod delta;
pub mod feedback;
pub mod form;
pub mod history;
pub mod job_progress;
pub mod kpi;
pub mod list_query;
pub mod partner_picker;
pub mod refresh;
pub mod session;
pub mod toast;
