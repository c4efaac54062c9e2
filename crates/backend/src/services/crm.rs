//! CRM connections: their settings (credentials sealed before they are stored), syncs started
//! by hand, their progress and record errors. Syncs run in the background (`server::crm::sync`).

use chrono::Utc;
use serde_json::json;

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::entities::crm_connections;
use crate::repo::{self, crm::ConnectionChange};
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::crm::{ConnectionForm, CrmKind, CrmSettings, SyncMode, SyncStatus};
use domain::job::JobKind;
use wire::AppError;
use wire::crm::{
    ConnectionSummary, ConnectionView, ERRORS_SHOWN, RecordError, SyncDetail, SyncSummary,
};

/// Syncs a connection's page lists.
const LISTED: u64 = 20;

fn not_found() -> AppError {
    AppError::NotFound("the sync".into())
}

fn summary(kind: CrmKind, (model, started_by): repo::crm::Listed) -> Result<SyncSummary, AppError> {
    let count = |n: i64| n.max(0) as u64;
    let status: SyncStatus = model.status.0;
    Ok(SyncSummary {
        id: model.id,
        kind,
        mode: model.mode.0,
        status,
        total: model.total_records.map(count),
        fetched: count(model.fetched_records),
        created: count(model.created_records),
        updated: count(model.updated_records),
        unchanged: count(model.unchanged_records),
        failed: count(model.failed_records),
        written_back: count(model.written_back),
        since: model.since,
        waiting_until: model.not_before.filter(|_| status == SyncStatus::Queued),
        failure: model.failure,
        started_by,
        created_at: model.created_at,
        finished_at: model.finished_at,
    })
}

fn settings_of(row: &crm_connections::Model) -> Result<CrmSettings, AppError> {
    serde_json::from_str(&row.settings).map_err(AppError::internal)
}

pub async fn list(caller: &Caller) -> Result<Vec<ConnectionSummary>, AppError> {
    caller.require(Action::View, Resource::Integrations)?;
    let rows = repo::crm::connections(&caller.tenant, caller.db()).await?;
    let mut out = Vec::new();
    for &kind in CrmKind::ALL {
        let row = rows.iter().find(|r| r.kind == kind);
        let last_sync = match row {
            Some(row) => repo::crm::syncs(&caller.tenant, caller.db(), row.id, 1)
                .await?
                .pop()
                .map(|listed| summary(kind, listed))
                .transpose()?,
            None => None,
        };
        out.push(ConnectionSummary {
            kind,
            configured: row.is_some(),
            enabled: row.is_some_and(|r| r.enabled),
            synced_until: row.and_then(|r| r.synced_until),
            last_sync,
        });
    }
    Ok(out)
}

/// Where the CRM sends change webhooks for this connection (`site`: the app's address).
pub fn webhook_url(site: &str, connection_id: i64) -> String {
    format!("{}/hooks/crm/{connection_id}", site.trim_end_matches('/'))
}

/// A connection's settings (secrets only said to be set), its webhook address and recent syncs;
/// a blank form when it was never set up.
pub async fn connection(caller: &Caller, kind: CrmKind) -> Result<ConnectionView, AppError> {
    caller.require(Action::View, Resource::Integrations)?;
    let site = &caller.backend.site_url;
    let private_targets_allowed = caller.backend.crm.config.allow_private_targets;
    let row = repo::crm::connection(&caller.tenant, caller.db(), kind).await?;
    let Some(row) = row else {
        let settings = kind.default_settings();
        return Ok(ConnectionView {
            kind,
            form: ConnectionForm::of(kind.default_base_url(), false, &settings),
            configured: false,
            has_token: false,
            has_webhook_secret: false,
            webhook_url: None,
            synced_until: None,
            syncs: Vec::new(),
            can_edit: caller.can(Action::Edit, Resource::Integrations),
            private_targets_allowed,
        });
    };
    let syncs = repo::crm::syncs(&caller.tenant, caller.db(), row.id, LISTED)
        .await?
        .into_iter()
        .map(|listed| summary(kind, listed))
        .collect::<Result<_, _>>()?;
    Ok(ConnectionView {
        kind,
        form: ConnectionForm::of(&row.base_url, row.enabled, &settings_of(&row)?),
        configured: true,
        has_token: row.credentials.is_some(),
        has_webhook_secret: row.webhook_secret.is_some(),
        webhook_url: kind
            .webhook_secret_label()
            .map(|_| webhook_url(site, row.id)),
        synced_until: row.synced_until,
        syncs,
        can_edit: caller.can(Action::Edit, Resource::Integrations),
        private_targets_allowed,
    })
}

/// What the audit trail shows of a connection: everything but its secrets, which it only says
/// are set.
fn snapshot(row: &crm_connections::Model) -> serde_json::Value {
    json!({
        "kind": row.kind,
        "base_url": row.base_url,
        "enabled": row.enabled,
        "settings": serde_json::from_str::<serde_json::Value>(&row.settings).unwrap_or_default(),
        "token": if row.credentials.is_some() { "set" } else { "not set" },
        "webhook_secret": if row.webhook_secret.is_some() { "set" } else { "not set" },
    })
}

pub async fn save(caller: &Caller, kind: CrmKind, form: ConnectionForm) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Integrations)?;
    let crm = &caller.backend.crm;
    let txn = repo::begin_write(caller.db()).await?;
    let existing = repo::crm::connection(&caller.tenant, &txn, kind).await?;
    let has_token = existing.as_ref().is_some_and(|r| r.credentials.is_some());
    let draft = form
        .validate(has_token, crm.targets())
        .map_err(AppError::invalid_fields)?;
    let before = existing.as_ref().map(snapshot);
    let token_changed = draft.token.is_some();
    let saved = repo::crm::save_connection(
        &caller.tenant,
        &txn,
        kind,
        existing,
        ConnectionChange {
            base_url: draft.base_url,
            credentials: draft.token.as_deref().map(|t| crm.vault.seal(t)),
            webhook_secret: draft.webhook_secret.as_deref().map(|s| crm.vault.seal(s)),
            settings: serde_json::to_string(&draft.settings).map_err(AppError::internal)?,
            enabled: draft.enabled,
            by: caller.user.id,
            at: Utc::now(),
        },
    )
    .await?;
    let mut after = snapshot(&saved);
    if token_changed && before.is_some() {
        after["token"] = json!("changed");
    }
    audit::record(
        &caller.tenant,
        &txn,
        audit::actor_of(caller),
        Entry {
            action: AuditAction::CrmConnectionSaved,
            entity_type: "crm_connection",
            entity_id: Some(saved.id),
            before,
            after: Some(after),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Tries the saved connection with one read-only request (signing in first where it does); what
/// the CRM said when it refused.
pub async fn test(caller: &Caller, kind: CrmKind) -> Result<String, AppError> {
    caller.require(Action::Edit, Resource::Integrations)?;
    let crm = &caller.backend.crm;
    let Some(row) = repo::crm::connection(&caller.tenant, caller.db(), kind).await? else {
        return Err(AppError::Conflict(format!(
            "Connect {} first: save its settings with a token.",
            kind.name()
        )));
    };
    let mut conn = crate::crm::ready(crm, &row).map_err(AppError::Conflict)?;
    crate::crm::check(crm, &mut conn)
        .await
        .map_err(|err| AppError::Conflict(err.to_string()))?;
    Ok(format!(
        "{} answered: the saved settings work.",
        kind.name()
    ))
}

/// Forgets a connection: its credentials, mapping, syncs and their logs. Deals it brought in
/// stay (with their CRM ids, so connecting again finds them). Refused while a sync is queued or
/// running, which would otherwise lose its place mid-page.
pub async fn disconnect(caller: &Caller, kind: CrmKind) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Integrations)?;
    let txn = repo::begin_write(caller.db()).await?;
    let Some(connection) = repo::crm::connection(&caller.tenant, &txn, kind).await? else {
        return Err(AppError::NotFound(format!(
            "the {} connection",
            kind.name()
        )));
    };
    if repo::crm::active_sync(&txn, connection.id).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "A {} sync is queued or running; cancel it or wait for it to finish before disconnecting.",
            kind.name()
        )));
    }
    repo::crm::delete_connection(&caller.tenant, &txn, connection.id).await?;
    audit::record(
        &caller.tenant,
        &txn,
        audit::actor_of(caller),
        Entry {
            action: AuditAction::CrmConnectionRemoved,
            entity_type: "crm_connection",
            entity_id: Some(connection.id),
            before: Some(snapshot(&connection)),
            after: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn start(caller: &Caller, kind: CrmKind, mode: SyncMode) -> Result<i64, AppError> {
    caller.require(Action::Edit, Resource::Integrations)?;
    if mode == SyncMode::Webhook {
        return Err(AppError::invalid_fields(vec![(
            "mode",
            "Start a backfill or an incremental sync; webhooks start their own.".into(),
        )]));
    }
    let txn = repo::begin_write(caller.db()).await?;
    let Some(connection) = repo::crm::connection(&caller.tenant, &txn, kind).await? else {
        return Err(AppError::Conflict(format!(
            "Connect {} first: save its settings with a token.",
            kind.name()
        )));
    };
    if !connection.enabled {
        return Err(AppError::Conflict(format!(
            "The {} connection is switched off; switch it on to sync.",
            kind.name()
        )));
    }
    if repo::crm::active_sync(&txn, connection.id).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "A {} sync is queued or running already; wait for it to finish.",
            kind.name()
        )));
    }
    let sync =
        repo::crm::insert_sync(&txn, &connection, mode, Some(caller.user.id), Utc::now()).await?;
    audit::record(
        &caller.tenant,
        &txn,
        audit::actor_of(caller),
        Entry {
            action: AuditAction::CrmSyncStarted,
            entity_type: "crm_sync",
            entity_id: Some(sync.id),
            before: None,
            after: Some(json!({ "crm": kind, "mode": mode, "since": sync.since })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(sync.id)
}

pub async fn sync_detail(caller: &Caller, id: i64) -> Result<SyncDetail, AppError> {
    caller.require(Action::View, Resource::Integrations)?;
    let listed = repo::crm::sync(&caller.tenant, caller.db(), id)
        .await?
        .ok_or_else(not_found)?;
    let connection = repo::crm::connection_for_worker(caller.db(), listed.0.connection_id)
        .await?
        .ok_or_else(not_found)?;
    let kind: CrmKind = connection.kind.0;
    let (rows, error_count) =
        repo::crm::sync_errors(&caller.tenant, caller.db(), id, ERRORS_SHOWN).await?;
    Ok(SyncDetail {
        sync: summary(kind, listed)?,
        errors: rows
            .into_iter()
            .map(|r| RecordError {
                external_id: r.external_id,
                name: r.record_name,
                message: r.message,
            })
            .collect(),
        error_count,
    })
}

pub async fn cancel(caller: &Caller, id: i64) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::Integrations)?;
    let txn = repo::begin_write(caller.db()).await?;
    let (model, _) = repo::crm::sync(&caller.tenant, &txn, id)
        .await?
        .ok_or_else(not_found)?;
    let from: SyncStatus = model.status.0;
    if !from.can_move_to(SyncStatus::Cancelled) {
        return Err(AppError::Conflict(format!(
            "This sync is {from} already and cannot be cancelled."
        )));
    }
    repo::crm::finish_sync(
        &txn,
        id,
        &[SyncStatus::Queued, SyncStatus::Running],
        SyncStatus::Cancelled,
        None,
        Utc::now(),
    )
    .await?;
    crate::jobs::queue::cancel(&txn, JobKind::CrmSync, id, Utc::now()).await?;
    audit::record(
        &caller.tenant,
        &txn,
        audit::actor_of(caller),
        Entry {
            action: AuditAction::CrmSyncCancelled,
            entity_type: "crm_sync",
            entity_id: Some(id),
            before: Some(json!({ "status": from, "fetched": model.fetched_records })),
            after: Some(json!({ "status": SyncStatus::Cancelled })),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
