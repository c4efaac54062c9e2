//! Change webhooks from the CRMs (`POST /hooks/crm/{connection}`): checked with the
//! connection's webhook secret (HubSpot signature v3, Pipedrive basic auth), then answered at
//! once by queueing a webhook sync that reads what changed since the last sync. No session or
//! cookie is involved, so this route sits outside the web app's middleware.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::Utc;

use super::{hubspot, pipedrive};
use crate::repo;
use crate::state::Backend;
use domain::crm::{CrmKind, SyncMode};

/// `POST /hooks/crm/{connection}`: a CRM telling that deals changed.
pub fn router(backend: &Backend) -> Router {
    Router::new()
        .route("/hooks/crm/{connection}", post(receive))
        .with_state(backend.clone())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The address the CRM called, as it signed it: the public address when configured, else the
/// request's own host.
fn called_uri(state: &Backend, headers: &HeaderMap, uri: &axum::http::Uri) -> String {
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let public = state.auth.public_url.trim_end_matches('/');
    if public.is_empty() {
        format!("http://{}{path}", header(headers, "host"))
    } else {
        format!("{public}{path}")
    }
}

async fn receive(
    State(state): State<Backend>,
    Path(connection): Path<i64>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    match accept(&state, connection, &uri, &headers, &body).await {
        Ok(answer) => answer,
        Err(err) => {
            tracing::error!(connection, %err, "CRM webhook could not be taken");
            (StatusCode::SERVICE_UNAVAILABLE, "try again later")
        }
    }
}

async fn accept(
    state: &Backend,
    connection: i64,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(StatusCode, &'static str), sea_orm::DbErr> {
    const UNKNOWN: (StatusCode, &str) = (StatusCode::NOT_FOUND, "no such connection");
    const REFUSED: (StatusCode, &str) = (StatusCode::UNAUTHORIZED, "signature not valid");
    let Some(row) = repo::crm::connection_for_worker(&state.db, connection).await? else {
        return Ok(UNKNOWN);
    };
    let kind = row.kind.0;
    let Some(secret) = row
        .webhook_secret
        .as_deref()
        .and_then(|sealed| state.crm.vault.open(sealed).ok())
    else {
        return Ok(REFUSED);
    };
    let genuine = match kind {
        CrmKind::HubSpot => hubspot::verify_webhook(
            &secret,
            "POST",
            &called_uri(state, headers, uri),
            body,
            header(headers, "x-hubspot-request-timestamp"),
            header(headers, "x-hubspot-signature-v3"),
            Utc::now(),
        ),
        CrmKind::Pipedrive => pipedrive::verify_webhook(&secret, header(headers, "authorization")),
        CrmKind::Salesforce => false,
    };
    if !genuine {
        tracing::warn!(connection, crm = kind.as_str(), "CRM webhook refused");
        return Ok(REFUSED);
    }
    if !row.enabled {
        return Ok((StatusCode::OK, "connection switched off; ignored"));
    }
    if repo::crm::queued_sync(&state.db, row.id).await?.is_none() {
        repo::crm::insert_sync(&state.db, &row, SyncMode::Webhook, None, Utc::now()).await?;
    }
    Ok((StatusCode::ACCEPTED, "sync queued"))
}
