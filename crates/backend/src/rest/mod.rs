//! The REST API, `/api/v1`: Bearer API keys, JSON in and out, problem details for errors, keyset
//! pagination, and an OpenAPI 3.1 document generated from these handlers and types (served at
//! `/api/v1/openapi.json`, rendered by the app's API page). Handlers are thin: they translate
//! between the wire and the same services the web app uses.

mod auth;
mod deals;
mod extract;
mod money;
mod pagination;
mod partners;
mod payouts;
pub mod problem;
mod reference;
mod respond;
mod touchpoints;
mod webhooks;

use axum::Router;
use axum::middleware;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::state::Backend;
use problem::Problem;

pub const BASE: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Partner Attribution API",
        description = "Partners, deals and touchpoints in; attribution, commissions and payouts out. \
            Authenticate with an API key (Settings → API keys) as `Authorization: Bearer <key>`. \
            Errors are RFC 9457 problem details. Lists are paged with `limit` and the opaque \
            `next_cursor`.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerKey),
    security(("api_key" = [])),
    tags(
        (name = "partners", description = "Resellers, referral agencies, alliances and marketplaces"),
        (name = "deals", description = "The pipeline, and each won deal's attribution"),
        (name = "touchpoints", description = "Partners' touches on deals"),
        (name = "payouts", description = "The commission ledger and each entry's way to payment"),
        (name = "webhooks", description = "Endpoints that receive signed messages about events, and their delivery log"),
    ),
    components(schemas(Problem))
)]
struct ApiDoc;

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key: pa_<prefix>_<secret>"))
                    .build(),
            ),
        );
    }
}

fn api() -> OpenApiRouter<Backend> {
    let routes = OpenApiRouter::new()
        .merge(partners::routes())
        .merge(deals::routes())
        .merge(touchpoints::routes())
        .merge(payouts::routes())
        .merge(webhooks::routes());
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest(BASE, routes)
}

/// The OpenAPI document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().into_openapi()
}

/// The documentation page's view of the document, built once.
pub fn reference() -> wire::api_docs::ApiReference {
    static REFERENCE: std::sync::OnceLock<wire::api_docs::ApiReference> =
        std::sync::OnceLock::new();
    REFERENCE
        .get_or_init(|| {
            let document = serde_json::to_value(openapi()).unwrap_or_default();
            reference::build(&document)
        })
        .clone()
}

/// `/api/v1/*`: the document is public, everything else needs a key.
pub fn router(backend: &Backend) -> Router {
    let (routes, document) = api().split_for_parts();
    let document = document.to_json().unwrap_or_else(|err| {
        tracing::error!(%err, "the OpenAPI document does not serialize");
        String::from("{}")
    });
    let protected = routes.route_layer(middleware::from_fn_with_state(
        backend.clone(),
        auth::require_key,
    ));
    Router::new()
        .route(
            &format!("{BASE}/openapi.json"),
            get(move || {
                let document = document.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        document,
                    )
                }
            }),
        )
        .merge(protected)
        .nest(
            BASE,
            Router::new().fallback(|| async {
                Problem::new(axum::http::StatusCode::NOT_FOUND, "No such API route.")
            }),
        )
        .with_state(backend.clone())
}
