//! Draws a charming chart into a `<div>` once the page runs in the browser. On the server the
//! `<div>` is rendered empty; the client fills it after hydration and marks it `data-rendered`.

use charming::Chart;
use leptos::prelude::*;

#[component]
pub fn EChart(
    /// Element id, unique on the page.
    #[prop(into)]
    id: String,
    chart: Chart,
    #[prop(into)] label: String,
    #[prop(default = 320)] height: u32,
    /// Called with (series index, data index) when a bar or point is clicked: drill-down.
    #[prop(optional)]
    on_click: Option<Callback<(usize, usize)>>,
) -> impl IntoView {
    let rendered = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let instance = StoredValue::new_local(None::<charming::Echarts>);
        let id = id.clone();
        Effect::new(move |_| {
            let (id, chart) = (id.clone(), chart.clone());
            // After client-side navigation the element is created before it is attached to the
            // document; ECharts finds it by id, so draw on the next frame, once it is attached.
            request_animation_frame(move || {
                // Auto width follows the container; the height is fixed by the caller.
                match charming::WasmRenderer::new_opt(None, Some(height)).render(&id, &chart) {
                    Ok(echarts) => {
                        if let Some(on_click) = on_click {
                            listen_for_clicks(&echarts, on_click);
                        }
                        instance.set_value(Some(echarts));
                        rendered.set(true);
                    }
                    Err(err) => leptos::logging::error!("chart {id} failed to render: {err}"),
                }
            });
        });
        // Follow the container when the window is resized or a phone is rotated.
        let resize = window_event_listener(leptos::ev::resize, move |_| {
            instance.with_value(|chart| {
                if let Some(chart) = chart {
                    chart.resize(wasm_bindgen::JsValue::UNDEFINED);
                }
            });
        });
        on_cleanup(move || resize.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (chart, on_click);
    view! {
        <div
            id=id
            class="chart"
            role="img"
            aria-label=label
            style=format!("height: {height}px")
            data-rendered=move || rendered.get().to_string()
            class:clickable=on_click.is_some()
        ></div>
    }
}

/// `chart.on("click", …)`: ECharts hands the handler the clicked item's series and data index.
#[cfg(feature = "hydrate")]
fn listen_for_clicks(echarts: &charming::Echarts, on_click: Callback<(usize, usize)>) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let target: &wasm_bindgen::JsValue = echarts.as_ref();
    let index = |params: &wasm_bindgen::JsValue, name: &str| {
        js_sys::Reflect::get(params, &name.into())
            .ok()
            .and_then(|v| v.as_f64())
            .map(|v| v as usize)
    };
    let handler = Closure::<dyn Fn(wasm_bindgen::JsValue)>::new(move |params| {
        if let (Some(series), Some(data)) =
            (index(&params, "seriesIndex"), index(&params, "dataIndex"))
        {
            on_click.run((series, data));
        }
    })
    .into_js_value();
    let on = js_sys::Reflect::get(target, &"on".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(on) = on
        && let Err(err) = on.call2(target, &"click".into(), &handler)
    {
        leptos::logging::error!("chart click handler failed: {err:?}");
    }
}
