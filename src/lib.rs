//! Partner Attribution: partner attribution, commissions and payouts on top of a CRM.
//!
//! The app crate, built twice: `ssr` is the Axum server, `hydrate` the WebAssembly client. Both
//! link the `domain` crate (re-exported here) and the `wire` crate, whose request/response types
//! the `api` modules re-export, so each is defined once.

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod components;
pub use domain;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod server;

/// Entry point of the WebAssembly client: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
