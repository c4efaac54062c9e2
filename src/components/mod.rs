//! Shared UI pieces.

pub mod charts;
pub mod feedback;
pub mod kpi;
