//! The partner managers' workspace.

pub mod dashboard;
