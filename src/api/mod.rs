//! Server functions, one module per resource. Each is thin: resolve the caller's context, call one
//! repository or service function, convert. The request and response types are defined here once
//! and shared by the server and the browser.

pub mod dashboard;
pub mod error;

pub use error::AppError;
