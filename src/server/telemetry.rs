//! Structured logs with `tracing`. `RUST_LOG` picks what is logged (default from Leptos.toml);
//! `LOG_FORMAT=json` switches to one JSON object per line for log collectors.

use tracing_subscriber::EnvFilter;

pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true);
    // try_init: tests start several servers in one process, and only the first may install it.
    let _ = if std::env::var("LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
