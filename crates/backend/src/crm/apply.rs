//! One CRM deal written through the app's own services, acting as the user the sync runs for:
//! the same validation, audit trail, attribution and webhooks as a form on a page. The deal is
//! found again by its CRM id (the connector's own source), so a second sync changes nothing;
//! a partner the CRM no longer names loses the touch the sync gave it.

use chrono::{DateTime, Utc};

use crate::caller::Caller;
use crate::services::{Saved, deal_changes, deals, partners};
use domain::crm::{self, CrmDeal, CrmKind, CrmSettings, Touch};
use domain::deal::DealStage;
use domain::ids::{DealId, PartnerId, TouchpointId};
use domain::touchpoint::TouchpointForm;
use wire::AppError;

/// What a deal did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

/// A deal taken in, and what about it could not be (partners the program does not know).
#[derive(Debug)]
pub struct Applied {
    pub outcome: Outcome,
    pub warnings: Vec<String>,
}

/// Why a deal could not be taken: its own fault (shown in the sync log), or the server's,
/// which stops the sync.
#[derive(Debug)]
pub enum Failure {
    Record(String),
    Server(AppError),
}

impl From<AppError> for Failure {
    fn from(err: AppError) -> Failure {
        match err {
            AppError::Invalid { message, fields } if fields.is_empty() => Failure::Record(message),
            AppError::Invalid { fields, .. } => Failure::Record(
                fields
                    .into_iter()
                    .map(|f| format!("{}: {}", f.field.replace('_', " "), f.message))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            AppError::Conflict(message) => Failure::Record(message),
            AppError::NotFound(what) => Failure::Record(format!("{what} was not found.")),
            other => Failure::Server(other),
        }
    }
}

pub async fn apply(
    caller: &Caller,
    kind: CrmKind,
    settings: &CrmSettings,
    deal: &CrmDeal,
    now: DateTime<Utc>,
) -> Result<Applied, Failure> {
    if deal.name.trim().is_empty() {
        return Err(Failure::Record(format!(
            "The deal has no name in {}.",
            kind.name()
        )));
    }
    let changes = crm::changes(kind, settings, deal, now);
    let existing = deals::by_source(caller, kind.as_str(), &deal.id).await?;
    let mut changed = false;
    // A closed deal that moves is re-opened first: won is never lost directly.
    if let Some(existing) = &existing {
        let stage: DealStage = existing.stage.0;
        if stage.is_closed() && stage != changes.stage {
            deal_changes::reopen(caller, DealId(existing.id)).await?;
            changed = true;
        }
    }
    let (id, saved) = deal_changes::save_from(
        caller,
        existing.as_ref().map(|d| DealId(d.id)),
        changes.form.clone(),
        Some((kind.as_str(), &deal.id)),
    )
    .await?;
    changed |= saved != Saved::Unchanged;
    let mut warnings = Vec::new();
    for touch in &changes.touches {
        match touch_one(caller, id, settings, touch).await? {
            Some(true) => changed = true,
            Some(false) => {}
            None => warnings.push(format!(
                "No partner in the program is called \"{}\"; the deal was synced without its touch.",
                touch.partner.name
            )),
        }
    }
    changed |= drop_unnamed(caller, kind, deal, id, &changes.touches).await?;
    changed |= deal_changes::move_to(
        caller,
        id,
        changes.stage,
        changes.lost_reason.as_deref(),
        changes.closed_at,
    )
    .await?;
    let outcome = match (existing.is_some(), changed) {
        (false, _) => Outcome::Created,
        (true, true) => Outcome::Updated,
        (true, false) => Outcome::Unchanged,
    };
    Ok(Applied { outcome, warnings })
}

/// A deal deleted in the CRM: an open one is closed as lost (re-opened, should the CRM bring it
/// back); a won one stays as it is, since commissions may stand on it, with a warning; a lost one
/// or one the app never took in is left alone.
pub async fn delete(
    caller: &Caller,
    kind: CrmKind,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Applied, Failure> {
    let unchanged = |warnings| Applied {
        outcome: Outcome::Unchanged,
        warnings,
    };
    let Some(existing) = deals::by_source(caller, kind.as_str(), id).await? else {
        return Ok(unchanged(Vec::new()));
    };
    let stage: DealStage = existing.stage.0;
    match stage {
        DealStage::Lost => return Ok(unchanged(Vec::new())),
        DealStage::Won => {
            return Ok(unchanged(vec![format!(
                "Deleted in {}; the won deal stays as it is here.",
                kind.name()
            )]));
        }
        DealStage::Open => {}
    }
    let reason = format!("Deleted in {}", kind.name());
    deal_changes::move_to(
        caller,
        DealId(existing.id),
        DealStage::Lost,
        Some(&reason),
        Some(now),
    )
    .await?;
    Ok(Applied {
        outcome: Outcome::Updated,
        warnings: Vec::new(),
    })
}

/// Removes the touches this CRM recorded on the deal for partners it no longer names (touches
/// added in the app stay); whether any went.
async fn drop_unnamed(
    caller: &Caller,
    kind: CrmKind,
    deal: &CrmDeal,
    id: DealId,
    named: &[Touch],
) -> Result<bool, AppError> {
    let prefix = format!("{}:{}:", kind.as_str(), deal.id);
    let mut dropped = false;
    for touch in deals::touchpoints_of(caller, id).await? {
        let Some(external) = touch.external_id.as_deref() else {
            continue;
        };
        if external.starts_with(&prefix) && named.iter().all(|t| t.external_id != external) {
            deal_changes::remove_touchpoint(caller, TouchpointId(touch.id)).await?;
            dropped = true;
        }
    }
    Ok(dropped)
}

/// The CRM's partner: by the CRM's id of it (kept as the partner's external id), then by name.
async fn partner_of(caller: &Caller, touch: &Touch) -> Result<Option<PartnerId>, AppError> {
    if let Some(id) = touch.partner.id.as_deref()
        && let Some(found) = partners::by_external_id(caller, id).await?
    {
        return Ok(Some(PartnerId(found.id)));
    }
    Ok(partners::by_name(caller, touch.partner.name.trim())
        .await?
        .map(|p| PartnerId(p.id)))
}

/// Records the touch (or brings it up to date); whether it changed, none when its partner is
/// unknown.
async fn touch_one(
    caller: &Caller,
    deal: DealId,
    settings: &CrmSettings,
    touch: &Touch,
) -> Result<Option<bool>, Failure> {
    let Some(partner) = partner_of(caller, touch).await? else {
        return Ok(None);
    };
    let form = TouchpointForm {
        partner_id: partner.0.to_string(),
        kind: settings.touch_kind.as_str().to_owned(),
        occurred_on: touch.occurred_on.format("%Y-%m-%d").to_string(),
        note: String::new(),
    };
    match deals::touchpoint_by_external_id(caller, &touch.external_id).await? {
        Some(existing) if existing.deal_id != deal.0 => Err(Failure::Record(
            "A touch of this deal is recorded on another deal; it was left there.".into(),
        )),
        Some(existing) => {
            let form = TouchpointForm {
                note: existing.note.clone().unwrap_or_default(),
                ..form
            };
            let saved =
                deal_changes::update_touchpoint(caller, TouchpointId(existing.id), form).await?;
            Ok(Some(saved != Saved::Unchanged))
        }
        None => {
            deal_changes::add_touchpoint(caller, deal, form, Some(&touch.external_id)).await?;
            Ok(Some(true))
        }
    }
}
