//! Pages following a background job (an import, a CRM sync) ask again every second while it
//! runs, and stop when it is done or the page goes.

use leptos::prelude::*;

/// Moves `tick` on every second while `running()` holds, for as long as the calling component
/// lives; a resource keyed on `tick` then loads again. Nothing runs on the server.
pub fn tick_while(running: impl Fn() -> bool + Send + Sync + 'static, tick: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || {
                if running() {
                    tick.update(|t| *t += 1);
                }
            },
            std::time::Duration::from_secs(1),
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (running, tick);
}
