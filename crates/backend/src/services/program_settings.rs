//! The partner program's settings: the tier bars partners see their progress against in the
//! portal. Administrators change them (audited, before and after).

use serde_json::json;

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::repo;
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::tier_program::TierBarsForm;
use wire::AppError;
use wire::settings::ProgramSettings;

async fn settings_of(caller: &Caller) -> Result<ProgramSettings, AppError> {
    let header = repo::organizations::header(caller.db(), caller.tenant.organization_id()).await?;
    Ok(ProgramSettings {
        form: TierBarsForm::from_bars(header.tier_bars),
        currency: header.base_currency,
        editable: caller.can(Action::Edit, Resource::Settings),
    })
}

pub async fn current(caller: &Caller) -> Result<ProgramSettings, AppError> {
    caller.require(Action::View, Resource::Settings)?;
    settings_of(caller).await
}

pub async fn save(caller: &Caller, form: TierBarsForm) -> Result<ProgramSettings, AppError> {
    caller.require(Action::Edit, Resource::Settings)?;
    let bars = form.validate().map_err(AppError::invalid_fields)?;
    let org = caller.tenant.organization_id();
    let txn = crate::repo::begin_write(caller.db()).await?;
    let before = repo::organizations::header(&txn, org).await?.tier_bars;
    if before != bars {
        repo::organizations::set_tier_bars(&txn, org, bars).await?;
        audit::by_caller(
            caller,
            &txn,
            Entry {
                action: AuditAction::ProgramSettingsUpdated,
                entity_type: "organization",
                entity_id: Some(org.0),
                before: Some(json!(before)),
                after: Some(json!(bars)),
            },
        )
        .await?;
    }
    txn.commit().await?;
    settings_of(caller).await
}
