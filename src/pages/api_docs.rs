//! `/api-docs`: the REST API's reference, rendered by the app from the OpenAPI document it
//! serves (no third-party viewer, nothing loaded from elsewhere). Public.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::api_docs::{
    ApiField, ApiOperation, ApiReference, ApiSchema, TypeLabel, load_api_reference,
};
use crate::components::feedback::ErrorPanel;

#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let reference = Resource::new(|| (), |_| load_api_reference());
    view! {
        <Title text="REST API"/>
        <Suspense fallback=|| view! { <p class="subtle">"Loading the API reference…"</p> }>
            {move || Suspend::new(async move {
                match reference.await {
                    Ok(reference) => view! { <Reference reference/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Reference(reference: ApiReference) -> impl IntoView {
    let contents = reference
        .groups
        .iter()
        .map(|group| {
            let operations = group
                .operations
                .iter()
                .map(|op| view! { <li><a href=format!("#{}", op.id)>{op.summary.clone()}</a></li> })
                .collect_view();
            view! { <li><a href=format!("#tag-{}", group.name)>{title_case(&group.name)}</a><ul>{operations}</ul></li> }
        })
        .collect_view();
    view! {
        <div class="api-docs" data-testid="api-docs">
            <nav class="api-contents" aria-label="API contents">
                <ul>
                    <li><a href="#overview">"Overview"</a></li>
                    {contents}
                    <li><a href="#schemas">"Schemas"</a></li>
                    <li><a href="#problems">"Errors"</a></li>
                </ul>
            </nav>
            <div class="api-main">
                <header class="page-header" id="overview">
                    <h1>{reference.title.clone()}</h1>
                    <p class="subtle">{format!("Version {} · OpenAPI 3.1 document: ", reference.version)}
                        <a href="/api/v1/openapi.json" rel="external">"/api/v1/openapi.json"</a></p>
                </header>
                <section class="card api-intro">
                    <p>{prose(&reference.description)}</p>
                    <dl class="api-rules">
                        <dt>"Authentication"</dt>
                        <dd>"Create a key under Settings › API keys and send it as "<code>"Authorization: Bearer pa_…"</code>". A read key reads; a write key also creates and changes partners, deals and touchpoints. Each key works for its own organization only."</dd>
                        <dt>"Pages"</dt>
                        <dd>"Lists return "<code>"data"</code>" in id order and a "<code>"next_cursor"</code>"; pass it as "<code>"cursor"</code>" for the next page (absent on the last one). "<code>"updated_since"</code>" fetches what changed since your last sync."</dd>
                        <dt>"Upserts"</dt>
                        <dd>"PUT …/by-external-id/{external_id} creates the record (201) or brings it to the body's state (200). The same request twice changes nothing the second time, so a sync can safely be replayed."</dd>
                        <dt>"Money"</dt>
                        <dd>"Every amount is an object with a decimal string and its currency: "<code>"{\"amount\": \"25000.00\", \"currency\": \"USD\"}"</code>"."</dd>
                        <dt>"Rate limits"</dt>
                        <dd>"Each key has its own budget per minute. Over it, the answer is 429 with a "<code>"Retry-After"</code>" header in seconds."</dd>
                        <dt>"Errors"</dt>
                        <dd>"RFC 9457 problem details ("<code>"application/problem+json"</code>"), with each invalid field under "<code>"errors"</code>"; see "<a href="#problems">"Errors"</a>"."</dd>
                    </dl>
                </section>
                {reference.groups.into_iter().map(|group| view! {
                    <section class="api-group" id=format!("tag-{}", group.name)>
                        <h2>{title_case(&group.name)}</h2>
                        <p class="subtle">{prose(&group.description)}</p>
                        {group.operations.into_iter().map(|op| view! { <Operation op/> }).collect_view()}
                    </section>
                }).collect_view()}
                <section class="api-group" id="schemas">
                    <h2>"Schemas"</h2>
                    {reference.schemas.into_iter().map(|schema| view! { <Schema schema/> }).collect_view()}
                </section>
                <section class="api-group" id="problems">
                    <h2>"Errors"</h2>
                    <table class="table">
                        <thead><tr><th>"Status"</th><th>"Type"</th><th>"Meaning"</th></tr></thead>
                        <tbody>
                            {reference.problems.into_iter().map(|p| view! {
                                <tr id=format!("problem-{}", p.slug)>
                                    <td>{p.status}</td>
                                    <td><code>{format!("/api-docs#problem-{}", p.slug)}</code></td>
                                    <td>{p.title}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            </div>
        </div>
    }
}

/// Text with `code` spans, as the document's descriptions write them.
fn prose(text: &str) -> impl IntoView + use<> {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                view! { <code>{part.to_owned()}</code> }.into_any()
            } else {
                part.to_owned().into_any()
            }
        })
        .collect_view()
}

fn title_case(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[component]
fn Kind(kind: TypeLabel) -> impl IntoView {
    match kind.schema.clone() {
        Some(schema) => {
            view! { <a href=format!("#schema-{schema}")><code>{kind.text}</code></a> }.into_any()
        }
        None => view! { <code>{kind.text}</code> }.into_any(),
    }
}

#[component]
fn Fields(fields: Vec<ApiField>, #[prop(optional)] with_location: bool) -> impl IntoView {
    view! {
        <table class="table api-fields">
            <thead><tr>
                <th>"Name"</th>
                {with_location.then(|| view! { <th>"In"</th> })}
                <th>"Type"</th><th>"Description"</th>
            </tr></thead>
            <tbody>
                {fields.into_iter().map(|f| view! {
                    <tr>
                        <td><code>{f.name}</code>{f.required.then(|| view! { <span class="badge required">"required"</span> })}</td>
                        {with_location.then(|| view! { <td>{f.location.clone()}</td> })}
                        <td><Kind kind=f.kind/></td>
                        <td>{prose(&f.description)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Operation(op: ApiOperation) -> impl IntoView {
    let method_class = format!("method method-{}", op.method.to_lowercase());
    view! {
        <article class="card api-operation" id=op.id.clone() data-operation=op.id.clone()>
            <header class="card-header">
                <h3>{op.summary.clone()}</h3>
                <p class="api-endpoint"><span class=method_class>{op.method.clone()}</span>" "<code>{op.path.clone()}</code></p>
            </header>
            {(!op.description.is_empty()).then(|| view! { <p class="api-description">{prose(&op.description)}</p> })}
            {(!op.parameters.is_empty()).then(|| view! {
                <h4>"Parameters"</h4>
                <Fields fields=op.parameters.clone() with_location=true/>
            })}
            {op.request.clone().map(|kind| view! { <h4>"Request body"</h4><p><Kind kind/></p> })}
            <h4>"Responses"</h4>
            <ul class="api-responses">
                {op.responses.into_iter().map(|r| view! {
                    <li>
                        <strong>{r.status}</strong>
                        {r.body.map(|kind| view! { " " <Kind kind/> })}
                        {r.content_type.map(|m| view! { " " <span class="subtle">{format!("({m})")}</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </article>
    }
}

#[component]
fn Schema(schema: ApiSchema) -> impl IntoView {
    view! {
        <article class="card api-schema" id=format!("schema-{}", schema.name)>
            <header class="card-header"><h3><code>{schema.name.clone()}</code></h3></header>
            {(!schema.description.is_empty()).then(|| view! { <p class="api-description">{prose(&schema.description)}</p> })}
            {(!schema.values.is_empty()).then(|| view! {
                <p>"One of: " {schema.values.iter().map(|v| view! { <code class="api-value">{v.clone()}</code>" " }).collect_view()}</p>
            })}
            {(!schema.fields.is_empty()).then(|| view! { <Fields fields=schema.fields.clone()/> })}
        </article>
    }
}
