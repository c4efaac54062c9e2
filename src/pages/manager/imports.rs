//! CSV import: pick what the file holds and the file, check the columns against the fields (the
//! mapping is remembered for next time) and the first rows, choose what happens to bad rows, and
//! follow the import's progress; past imports with their bad rows by line.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::api::AppError;
#[cfg(feature = "hydrate")]
use crate::api::imports::UPLOAD_PATH;
use crate::api::imports::{
    CancelImport, ERRORS_SHOWN, ImportPreview, ImportSummary, PreviewImport, StartImport, Uploaded,
    load_import, load_imports,
};
use crate::components::feedback::ErrorPanel;
use crate::components::form::{field_error, form_error};
use crate::components::job_progress::{self, Count, JobProgress, JobView, Standing};
use crate::components::refresh::tick_while;
use crate::domain::import::{ColumnMapping, ImportKind, ImportMode, ImportStatus};

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn standing(status: ImportStatus) -> Standing {
    match status {
        ImportStatus::Done => Standing::Done,
        ImportStatus::Queued | ImportStatus::Running => Standing::Working,
        ImportStatus::Failed | ImportStatus::Cancelled => Standing::Stopped,
    }
}

fn status_badge(status: ImportStatus) -> impl IntoView {
    job_progress::status_badge(standing(status), status.title(), "import-status")
}

/// An import as the shared progress card shows it.
fn job_view(import: &ImportSummary) -> JobView {
    let percent = import.percent();
    JobView {
        standing: standing(import.status),
        status: import.status.title(),
        status_testid: "import-status",
        percent: Some(percent),
        bar_label: "Rows imported",
        summary: format!(
            "{} of {} rows ({percent} %)",
            import.processed_rows, import.total_rows
        ),
        summary_testid: None,
        counts: vec![
            Count::marked("Created", import.created_rows, "created-rows"),
            Count::new("Updated", import.updated_rows),
            Count::new("Unchanged", import.unchanged_rows),
            Count::marked("Bad rows", import.failed_rows, "failed-rows"),
        ],
        failure: import.failure.clone(),
    }
}

/// Sends the picked file to the server as it is, as the request body (the browser streams it
/// from disk; it is never read into the page).
#[cfg(feature = "hydrate")]
async fn send_picked(input: web_sys::HtmlInputElement) -> Option<Result<Uploaded, AppError>> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let file = input.files()?.get(0)?;
    let failed = |what: &str| AppError::Transport(format!("The file could not be sent: {what}"));
    let send = async {
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&file);
        let name = js_sys::encode_uri_component(&file.name());
        let url = format!("{UPLOAD_PATH}?name={name}");
        let window = web_sys::window().ok_or_else(|| failed("no window"))?;
        let response: web_sys::Response =
            JsFuture::from(window.fetch_with_str_and_init(&url, &init))
                .await
                .map_err(|_| failed("the connection to the server failed"))?
                .unchecked_into();
        let text = JsFuture::from(response.text().map_err(|_| failed("no answer"))?)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default();
        if response.ok() {
            serde_json::from_str::<Uploaded>(&text).map_err(|_| failed("an unreadable answer"))
        } else {
            Err(serde_json::from_str::<AppError>(&text).unwrap_or_else(|_| failed(&text)))
        }
    };
    Some(send.await)
}

#[component]
pub fn ImportsPage() -> impl IntoView {
    let kind = RwSignal::new(ImportKind::Partners);
    let mode = RwSignal::new(ImportMode::ValidOnly);
    // The file as the server holds it, or why it does not.
    let upload = RwSignal::new(None::<Result<Uploaded, AppError>>);
    let uploading = RwSignal::new(false);
    let mapping = RwSignal::new(ColumnMapping::new());
    let preview = ServerAction::<PreviewImport>::new();
    let start = ServerAction::<StartImport>::new();
    let picker = NodeRef::<leptos::html::Input>::new();
    let imports = Resource::new(move || start.version().get(), |_| load_imports());
    let uploaded = move || upload.with(|u| u.as_ref().and_then(|u| u.as_ref().ok()).map(|u| u.id));

    let ask_preview = move || {
        if let Some(id) = uploaded() {
            preview.dispatch(PreviewImport {
                upload: id,
                kind: kind.get_untracked(),
            });
        }
    };
    // The offered mapping becomes the one being edited.
    Effect::new(move |_| {
        if let Some(Ok(offered)) = preview.value().get() {
            mapping.set(offered.mapping.clone());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(id)) = start.value().get() {
            use_navigate()(&format!("/imports/{id}"), Default::default());
        }
    });
    let on_pick = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(input) = picker.get() {
            leptos::task::spawn_local(async move {
                uploading.set(true);
                preview.clear();
                upload.set(send_picked(input).await);
                uploading.set(false);
                ask_preview();
            });
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(id) = uploaded() {
            start.dispatch(StartImport {
                upload: id,
                kind: kind.get_untracked(),
                mode: mode.get_untracked(),
                mapping: mapping.get_untracked(),
            });
        }
    };
    let start_result = start.value();
    let file_error = move || {
        upload
            .with(|u| match u {
                Some(Err(error)) => Some(
                    field_error(&Some(Err::<(), _>(error.clone())), "file")
                        .unwrap_or_else(|| error.to_string()),
                ),
                _ => None,
            })
            .or_else(|| field_error(&start_result.get(), "file"))
            .or_else(|| field_error(&preview.value().get(), "file"))
            .or_else(|| match preview.value().get() {
                Some(Err(error))
                    if field_error(&Some(Err::<(), _>(error.clone())), "file").is_none() =>
                {
                    Some(error.to_string())
                }
                _ => None,
            })
    };

    view! {
        <Title text="Import"/>
        <header class="page-header">
            <h1>"Import from CSV"</h1>
            <p class="subtle">"Partners, deals and partner touches from a spreadsheet or a CRM export. Rows with an external id update the record they name, so importing the same file again changes nothing. To keep deals in step with HubSpot, Salesforce or Pipedrive without files, use "<A href="/settings/integrations">"Integrations"</A>"."</p>
        </header>
        <section class="card">
            <header class="card-header"><h2>"New import"</h2></header>
            <div class="card-body">
                <form class="form" novalidate=true on:submit=submit data-testid="import-form">
                    <div class="field">
                        <label for="import-kind">"The file holds"</label>
                        <select id="import-kind" on:change=move |ev| {
                            if let Ok(picked) = event_target_value(&ev).parse() {
                                kind.set(picked);
                                ask_preview();
                            }
                        }>
                            {ImportKind::ALL.iter().map(|&k| view! {
                                <option value=k.as_str() selected=move || kind.get() == k>{k.title()}</option>
                            }).collect_view()}
                        </select>
                        <p class="hint">{move || kind.get().describe()}</p>
                    </div>
                    <div class="field">
                        <label for="import-file">"CSV file"</label>
                        <input id="import-file" type="file" accept=".csv,text/csv,text/plain" node_ref=picker on:change=on_pick/>
                        <p class="hint">"The first line names the columns; commas, semicolons or tabs separate them. Dates as 2026-03-31."</p>
                        {move || file_error().map(|m| view! { <p class="field-error" role="alert" data-field="file">{m}</p> })}
                    </div>
                    {move || preview.value().get().and_then(Result::ok).map(|offered| view! {
                        <MappingEditor offered mapping start_result/>
                        <fieldset class="field">
                            <legend>"Rows with errors"</legend>
                            {ImportMode::ALL.iter().map(|&m| view! {
                                <label class="check">
                                    <input type="radio" name="mode" value=m.as_str()
                                        prop:checked=move || mode.get() == m
                                        on:change=move |_| mode.set(m)/>
                                    {match m {
                                        ImportMode::ValidOnly => " Import the good rows and list the bad ones",
                                        ImportMode::AllOrNothing => " Import nothing if any row is bad",
                                    }}
                                </label>
                            }).collect_view()}
                        </fieldset>
                    })}
                    {move || form_error(&start_result.get()).map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                    <button type="submit" class="button primary"
                        disabled=move || uploaded().is_none() || uploading.get() || start.pending().get()>
                        {move || match preview.value().get() {
                            _ if uploading.get() => "Sending the file…".to_owned(),
                            Some(Ok(offered)) => format!("Import {} rows", offered.total_rows),
                            _ => "Import".to_owned(),
                        }}
                    </button>
                </form>
            </div>
        </section>
        <section class="card">
            <header class="card-header"><h2>"Past imports"</h2></header>
            <Suspense fallback=|| view! { <div class="card-body"><p class="subtle">"Loading imports…"</p></div> }>
                {move || Suspend::new(async move {
                    match imports.await {
                        Ok(rows) if rows.is_empty() => view! { <div class="card-body"><p class="empty">"No imports yet."</p></div> }.into_any(),
                        Ok(rows) => view! { <ImportsTable rows/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// One column per field, chosen from the file's headers; the first rows with what is wrong in
/// them.
#[component]
fn MappingEditor(
    offered: ImportPreview,
    mapping: RwSignal<ColumnMapping>,
    #[prop(into)] start_result: Signal<Option<Result<i64, crate::api::AppError>>>,
) -> impl IntoView {
    let headers = offered.headers.clone();
    view! {
        <fieldset class="field" data-testid="import-mapping">
            <legend>"Columns"</legend>
            <table class="table">
                <thead><tr><th>"Field"</th><th>"Column in the file"</th></tr></thead>
                <tbody>
                    {offered.fields.iter().map(|choice| {
                        let field = choice.field.clone();
                        let field_for_change = field.clone();
                        let field_for_error = format!("mapping.{}", choice.field);
                        let headers = headers.clone();
                        let id = format!("map-{}", choice.field);
                        view! {
                            <tr>
                                <td><label for=id.clone()>{choice.label.clone()}{choice.required.then_some(" *")}</label></td>
                                <td>
                                    <select id=id on:change=move |ev| {
                                        let header = event_target_value(&ev);
                                        mapping.update(|m| {
                                            if header.is_empty() {
                                                m.remove(&field_for_change);
                                            } else {
                                                m.insert(field_for_change.clone(), header);
                                            }
                                        });
                                    }>
                                        <option value="">"— not imported —"</option>
                                        {headers.into_iter().map(|header| {
                                            let field = field.clone();
                                            let value = header.clone();
                                            view! {
                                                <option value=value selected=move || mapping.with(|m| m.get(&field) == Some(&header))>{header.clone()}</option>
                                            }
                                        }).collect_view()}
                                    </select>
                                    {move || field_error(&start_result.get(), &field_for_error).map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="hint">{format!("{} rows in the file; the first {} as they read now:", offered.total_rows, offered.rows.len())}</p>
            <div class="table-scroll">
                <table class="table" data-testid="import-preview">
                    <thead><tr><th>"Line"</th>{offered.headers.iter().map(|h| view! { <th>{h.clone()}</th> }).collect_view()}<th>"Problems"</th></tr></thead>
                    <tbody>
                        {offered.rows.iter().map(|row| view! {
                            <tr class:row-error=!row.errors.is_empty()>
                                <td>{row.line}</td>
                                {row.cells.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}
                                <td>{row.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </fieldset>
    }
}

#[component]
fn ImportsTable(rows: Vec<ImportSummary>) -> impl IntoView {
    view! {
        <table class="table" data-testid="imports-table">
            <thead><tr>
                <th>"File"</th><th>"Holds"</th><th>"Status"</th><th class="num">"Created"</th>
                <th class="num">"Updated"</th><th class="num">"Unchanged"</th><th class="num">"Bad rows"</th>
                <th>"By"</th><th>"Started"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr>
                        <td><A href=format!("/imports/{}", row.id)>{row.file_name.clone()}</A></td>
                        <td>{row.kind.title()}</td>
                        <td>{status_badge(row.status)}</td>
                        <td class="num">{row.created_rows}</td>
                        <td class="num">{row.updated_rows}</td>
                        <td class="num">{row.unchanged_rows}</td>
                        <td class="num">{row.failed_rows}</td>
                        <td>{row.created_by.clone().unwrap_or_default()}</td>
                        <td>{when(row.created_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One import: progress while it runs (asked again every second), then its counts and bad rows.
#[component]
pub fn ImportPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let tick = RwSignal::new(0u32);
    let cancel = ServerAction::<CancelImport>::new();
    let detail = Resource::new(
        move || (id(), tick.get(), cancel.version().get()),
        |(id, _, _)| load_import(id),
    );
    // Ask again while the import is queued or running.
    tick_while(
        move || {
            detail
                .get_untracked()
                .and_then(Result::ok)
                .is_some_and(|d| !d.import.status.is_finished())
        },
        tick,
    );
    view! {
        <Title text="Import"/>
        <p><A href="/imports">"← All imports"</A></p>
        <Transition fallback=|| view! { <p class="subtle">"Loading the import…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    Ok(detail) => {
                        let import = detail.import.clone();
                        let running = !import.status.is_finished();
                        let id = import.id;
                        view! {
                            <header class="page-header">
                                <h1>{import.file_name.clone()}</h1>
                                <p class="subtle">{format!("{} · {} · started {}{}", import.kind.title(),
                                    match import.mode { ImportMode::ValidOnly => "good rows imported, bad rows listed", ImportMode::AllOrNothing => "all or nothing" },
                                    when(import.created_at),
                                    import.created_by.clone().map(|by| format!(" by {by}")).unwrap_or_default())}</p>
                            </header>
                            <section class="card">
                                <div class="card-body" data-testid="import-progress">
                                <JobProgress job=job_view(&import)>
                                    <Show when=move || running>
                                        <button type="button" class="button" on:click=move |_| { cancel.dispatch(CancelImport { id }); }>
                                            "Cancel import"
                                        </button>
                                    </Show>
                                </JobProgress>
                                </div>
                            </section>
                            <section class="card">
                                <header class="card-header with-action">
                                    <h2>"Rows with errors"</h2>
                                    {(detail.error_count > 0).then(|| view! {
                                        <a class="button small" download="" data-testid="errors-csv"
                                            href=format!("/api/imports/{id}/errors.csv")>
                                            {format!("Download all {} (CSV)", detail.error_count)}
                                        </a>
                                    })}
                                </header>
                                {if detail.errors.is_empty() {
                                    view! { <div class="card-body"><p class="empty">"None."</p></div> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" data-testid="import-errors">
                                            <thead><tr><th class="num">"Line"</th><th>"Field"</th><th>"Problem"</th></tr></thead>
                                            <tbody>
                                                {detail.errors.iter().map(|e| view! {
                                                    <tr><td class="num">{e.line}</td><td>{e.field.clone()}</td><td>{e.message.clone()}</td></tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                        {(detail.error_count > ERRORS_SHOWN).then(|| view! {
                                            <p class="subtle card-body">{format!("The first {ERRORS_SHOWN} of {} problems.", detail.error_count)}</p>
                                        })}
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
