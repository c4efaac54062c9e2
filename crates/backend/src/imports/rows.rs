//! One file row written through the app's own services, acting as the user who started the
//! import: the same validation, audit trail, attribution and webhooks as a form on a page.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::caller::Caller;
use crate::services::{Saved, deal_changes, deals, partners};
use domain::deal::DealStage;
use domain::ids::{DealId, PartnerId, TouchpointId};
use domain::import::{self, ImportKind, RowError, RowStage};
use domain::touchpoint::TouchpointForm;
use wire::AppError;

/// What a row did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

impl From<Saved> for Outcome {
    fn from(saved: Saved) -> Outcome {
        match saved {
            Saved::Created => Outcome::Created,
            Saved::Updated => Outcome::Updated,
            Saved::Unchanged => Outcome::Unchanged,
        }
    }
}

/// A row's failure: its own (bad cells, unknown references, refused changes), or the server's,
/// which stops the import.
pub enum RowFailure {
    Row(Vec<RowError>),
    Server(AppError),
}

/// The field names the services use, as the import calls them.
fn import_field(kind: ImportKind, field: &str) -> String {
    match (kind, field) {
        (ImportKind::Touchpoints, "partner_id") => "partner".into(),
        (ImportKind::Deals, "reason") => "lost_reason".into(),
        _ => field.to_owned(),
    }
}

fn failure(kind: ImportKind, line: u64, err: AppError) -> RowFailure {
    match err {
        AppError::Invalid { message, fields } if fields.is_empty() => {
            RowFailure::Row(vec![RowError::new(line, "", message)])
        }
        AppError::Invalid { fields, .. } => RowFailure::Row(
            fields
                .into_iter()
                .map(|f| RowError::new(line, &import_field(kind, &f.field), f.message))
                .collect(),
        ),
        AppError::Conflict(message) => RowFailure::Row(vec![RowError::new(line, "", message)]),
        AppError::NotFound(what) => RowFailure::Row(vec![RowError::new(
            line,
            "",
            format!("{what} was not found."),
        )]),
        other => RowFailure::Server(other),
    }
}

fn bad(line: u64, field: &str, message: impl Into<String>) -> RowFailure {
    RowFailure::Row(vec![RowError::new(line, field, message)])
}

/// Deals and partners already looked up, by how the file names them: a file of touches names
/// the same deals and partners again and again.
#[derive(Default)]
pub struct Lookups {
    deals: HashMap<String, DealId>,
    partners: HashMap<String, PartnerId>,
}

impl Lookups {
    async fn deal(&mut self, caller: &Caller, external: &str) -> Result<Option<DealId>, AppError> {
        if let Some(id) = self.deals.get(external) {
            return Ok(Some(*id));
        }
        let found = deals::by_external_id(caller, external)
            .await?
            .map(|d| DealId(d.id));
        if let Some(id) = found {
            self.deals.insert(external.to_owned(), id);
        }
        Ok(found)
    }

    /// By external id first, then by name.
    async fn partner(
        &mut self,
        caller: &Caller,
        named: &str,
    ) -> Result<Option<PartnerId>, AppError> {
        if let Some(id) = self.partners.get(named) {
            return Ok(Some(*id));
        }
        let found = match partners::by_external_id(caller, named).await? {
            Some(partner) => Some(partner),
            None => partners::by_name(caller, named).await?,
        }
        .map(|p| PartnerId(p.id));
        if let Some(id) = found {
            self.partners.insert(named.to_owned(), id);
        }
        Ok(found)
    }
}

/// Checks a row without writing anything: its cells, and the deal and partner it names. What
/// an all-or-nothing import runs over the whole file first.
pub async fn check(
    caller: &Caller,
    kind: ImportKind,
    line: u64,
    fields: &std::collections::BTreeMap<String, &str>,
    lookups: &mut Lookups,
) -> Result<(), RowFailure> {
    let mut errors = import::cell_errors(kind, fields, chrono::Utc::now().date_naive());
    if kind == ImportKind::Touchpoints {
        let row = import::touchpoint_row(fields);
        let deal = lookups
            .deal(caller, &row.deal)
            .await
            .map_err(RowFailure::Server)?;
        if deal.is_none() && !row.deal.is_empty() {
            errors.push(("deal", no_deal(&row.deal)));
        }
        let partner = lookups
            .partner(caller, &row.partner)
            .await
            .map_err(RowFailure::Server)?;
        if partner.is_none() && !row.partner.is_empty() {
            errors.push(("partner", no_partner(&row.partner)));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(RowFailure::Row(
            errors
                .into_iter()
                .map(|(field, message)| RowError::new(line, &import_field(kind, field), message))
                .collect(),
        ))
    }
}

fn no_deal(external: &str) -> String {
    if external.is_empty() {
        "Give the deal's external id.".into()
    } else {
        format!("No deal has the external id \"{external}\"; import the deals first.")
    }
}

fn no_partner(named: &str) -> String {
    if named.is_empty() {
        "Give the partner's external id or name.".into()
    } else {
        format!("No partner has the external id or name \"{named}\".")
    }
}

fn touch_form(partner: PartnerId, row: &import::TouchpointRow) -> TouchpointForm {
    TouchpointForm {
        partner_id: partner.0.to_string(),
        kind: row.kind.clone(),
        occurred_on: row.occurred_on.clone(),
        note: row.note.clone(),
    }
}

/// Writes a row: creates or updates the record its external id (or, for a partner, its name)
/// finds; the same row twice changes nothing.
pub async fn apply(
    caller: &Caller,
    kind: ImportKind,
    line: u64,
    fields: &std::collections::BTreeMap<String, &str>,
    lookups: &mut Lookups,
) -> Result<Outcome, RowFailure> {
    let fail = |err| failure(kind, line, err);
    match kind {
        ImportKind::Partners => {
            let row = import::partner_row(fields);
            let existing = match &row.external_id {
                Some(external) => partners::by_external_id(caller, external).await,
                None => partners::by_name(caller, &row.form.name).await,
            }
            .map_err(fail)?;
            let (id, saved) = partners::save(
                caller,
                existing.map(|p| PartnerId(p.id)),
                row.form,
                row.external_id.as_deref(),
            )
            .await
            .map_err(fail)?;
            lookups
                .partners
                .insert(fields.get("name").copied().unwrap_or("").to_owned(), id);
            Ok(saved.into())
        }
        ImportKind::Deals => {
            let row = import::deal_row(fields).map_err(|(f, m)| bad(line, f, m))?;
            let existing = match &row.external_id {
                Some(external) => lookups.deal(caller, external).await.map_err(fail)?,
                None => None,
            };
            let (id, saved) =
                deal_changes::save(caller, existing, row.form, row.external_id.as_deref())
                    .await
                    .map_err(fail)?;
            let stage = match row.stage {
                RowStage::Open => DealStage::Open,
                RowStage::Won => DealStage::Won,
                RowStage::Lost => DealStage::Lost,
            };
            let moved = deal_changes::move_to(caller, id, stage, row.lost_reason.as_deref(), None)
                .await
                .map_err(fail)?;
            if let Some(external) = row.external_id {
                lookups.deals.insert(external, id);
            }
            Ok(match (Outcome::from(saved), moved) {
                (Outcome::Unchanged, true) => Outcome::Updated,
                (outcome, _) => outcome,
            })
        }
        ImportKind::Touchpoints => {
            let row = import::touchpoint_row(fields);
            let deal = lookups
                .deal(caller, &row.deal)
                .await
                .map_err(fail)?
                .ok_or_else(|| bad(line, "deal", no_deal(&row.deal)))?;
            let partner = lookups
                .partner(caller, &row.partner)
                .await
                .map_err(fail)?
                .ok_or_else(|| bad(line, "partner", no_partner(&row.partner)))?;
            let form = touch_form(partner, &row);
            let existing = match &row.external_id {
                Some(external) => deals::touchpoint_by_external_id(caller, external)
                    .await
                    .map_err(fail)?,
                None => same_touch(caller, deal, partner, &row)
                    .await
                    .map_err(fail)?,
            };
            match existing {
                Some(touch) if touch.deal_id != deal.0 => Err(bad(
                    line,
                    "deal",
                    "This touch is on another deal; a touch cannot move between deals.",
                )),
                Some(touch) => {
                    let saved =
                        deal_changes::update_touchpoint(caller, TouchpointId(touch.id), form)
                            .await
                            .map_err(fail)?;
                    Ok(saved.into())
                }
                None => {
                    deal_changes::add_touchpoint(caller, deal, form, row.external_id.as_deref())
                        .await
                        .map_err(fail)?;
                    Ok(Outcome::Created)
                }
            }
        }
    }
}

/// Without an external id, a touch of the same partner, kind and day on the deal is this row
/// imported before.
async fn same_touch(
    caller: &Caller,
    deal: DealId,
    partner: PartnerId,
    row: &import::TouchpointRow,
) -> Result<Option<crate::entities::touchpoints::Model>, AppError> {
    let Ok(day) = NaiveDate::parse_from_str(row.occurred_on.trim(), "%Y-%m-%d") else {
        return Ok(None);
    };
    let touches = deals::touchpoints_after(
        caller,
        Some(deal),
        Some(partner),
        &crate::repo::Cursor::default(),
        1000,
    )
    .await?;
    Ok(touches.into_iter().find(|t| {
        t.kind.0.as_str() == row.kind
            && t.occurred_at.date_naive() == day
            && t.external_id.is_none()
    }))
}
