//! Partner Attribution: partner attribution, commissions and payouts on top of a CRM.
//!
//! One crate, two builds: `ssr` is the Axum server, `hydrate` the WebAssembly client. `domain`
//! and the request/response types in `api` are compiled into both, so each is defined once.

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
