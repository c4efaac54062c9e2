//! Commission rules for finance: listing them in the order they apply, saving new rules and new
//! versions (the version it replaces is ended the day before, never rewritten), ending a rule,
//! and replaying last quarter under a proposal.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate, Utc};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::audit::{self, Entry};
use crate::caller::Caller;
use crate::repo;
use crate::repo::commission_rules::Version;
use domain::access::{Action, Resource};
use domain::audit::AuditAction;
use domain::commission_rules::{self, Rule, RuleDraft, RuleForm, Scope};
use domain::money::Money;
use domain::reporting::Period;
use wire::AppError;
use wire::commission_rules::{
    PreviewRow, RuleDetail, RulePreview, RuleRow, RulesPage, VersionRow, VersionStatus,
};

fn not_found() -> AppError {
    AppError::NotFound("the commission rule".into())
}

fn status(version: &Version, today: NaiveDate) -> VersionStatus {
    let rule = &version.rule;
    if !version.active {
        VersionStatus::Replaced
    } else if rule.effective_from > today {
        VersionStatus::Scheduled
    } else if rule.effective_to.is_some_and(|end| end < today) {
        VersionStatus::Ended
    } else {
        VersionStatus::InForce
    }
}

/// Names for scopes that point at a partner, and for the users who saved versions.
struct Names {
    partners: HashMap<i64, String>,
    users: HashMap<i64, String>,
}

impl Names {
    async fn of(caller: &Caller, versions: &[Version]) -> Result<Names, AppError> {
        let partners: Vec<i64> = versions
            .iter()
            .filter_map(|v| match v.rule.scope {
                Scope::Partner(id) => Some(id.0),
                _ => None,
            })
            .collect();
        let users: Vec<i64> = versions.iter().filter_map(|v| v.created_by).collect();
        Ok(Names {
            partners: repo::deals::names_of(&caller.tenant, caller.db(), &partners).await?,
            users: repo::users::names_of(&caller.tenant, caller.db(), &users).await?,
        })
    }

    fn scope(&self, scope: Scope) -> String {
        match scope {
            Scope::Everyone => "All partners".into(),
            Scope::PartnerType(t) => format!("{} partners", t.title()),
            Scope::Tier(t) => format!("{} tier", t.title()),
            Scope::Partner(id) => self
                .partners
                .get(&id.0)
                .cloned()
                .unwrap_or_else(|| format!("Partner #{}", id.0)),
        }
    }

    fn row(&self, version: &Version, today: NaiveDate) -> VersionRow {
        let rule = &version.rule;
        VersionRow {
            id: rule.id,
            version: rule.version,
            summary: rule.summary(),
            scope: self.scope(rule.scope),
            priority: rule.priority,
            effective_from: rule.effective_from,
            effective_to: rule.effective_to,
            status: status(version, today),
            saved_by: version
                .created_by
                .and_then(|id| self.users.get(&id).cloned()),
            saved_on: version.created_at.date_naive(),
        }
    }
}

pub async fn list(caller: &Caller) -> Result<RulesPage, AppError> {
    caller.require(Action::View, Resource::CommissionRules)?;
    let versions = repo::commission_rules::versions(&caller.tenant, caller.db(), None).await?;
    let names = Names::of(caller, &versions).await?;
    let today = Utc::now().date_naive();
    let mut latest: BTreeMap<i64, (&Version, u32)> = BTreeMap::new();
    for version in &versions {
        let entry = latest.entry(version.rule.rule_id).or_insert((version, 0));
        entry.1 += 1;
        if version.rule.version > entry.0.rule.version {
            entry.0 = version;
        }
    }
    let mut latest: Vec<(&Version, u32)> = latest.into_values().collect();
    // Base rules in the order they win, then SPIFs by start.
    latest.sort_by(|(a, _), (b, _)| {
        (a.rule.is_spif(), std::cmp::Reverse(a.rule.precedence()))
            .cmp(&(b.rule.is_spif(), std::cmp::Reverse(b.rule.precedence())))
    });
    let mut rank = 0;
    let rules = latest
        .into_iter()
        .map(|(version, count)| {
            let precedence = (!version.rule.is_spif()).then(|| {
                rank += 1;
                rank
            });
            RuleRow {
                rule_id: version.rule.rule_id,
                name: version.rule.name.clone(),
                kind: version.rule.kind.name(),
                latest: names.row(version, today),
                versions: count,
                precedence,
            }
        })
        .collect();
    Ok(RulesPage {
        rules,
        can_edit: caller.can(Action::Edit, Resource::CommissionRules),
    })
}

pub async fn get(caller: &Caller, rule_id: i64) -> Result<RuleDetail, AppError> {
    caller.require(Action::View, Resource::CommissionRules)?;
    let versions =
        repo::commission_rules::versions(&caller.tenant, caller.db(), Some(rule_id)).await?;
    let latest = versions
        .iter()
        .max_by_key(|v| v.rule.version)
        .ok_or_else(not_found)?;
    let names = Names::of(caller, &versions).await?;
    let today = Utc::now().date_naive();
    let mut form = RuleForm::of(&latest.rule);
    // The next version starts today unless the latest one starts later.
    form.effective_from = latest.rule.effective_from.max(today).to_string();
    let partner = match latest.rule.scope {
        Scope::Partner(id) => Some((id, names.scope(latest.rule.scope))),
        _ => None,
    };
    Ok(RuleDetail {
        rule_id,
        name: latest.rule.name.clone(),
        form,
        versions: versions.iter().rev().map(|v| names.row(v, today)).collect(),
        partner,
        can_edit: caller.can(Action::Edit, Resource::CommissionRules),
    })
}

/// The form validated, with a one-partner scope checked against the caller's organization.
async fn draft_of(caller: &Caller, form: &RuleForm) -> Result<RuleDraft, AppError> {
    let draft = form.validate().map_err(AppError::invalid_fields)?;
    if let Scope::Partner(id) = draft.scope
        && repo::partners::get(&caller.tenant, caller.db(), id)
            .await?
            .is_none()
    {
        return Err(AppError::invalid_field(
            "scope_value",
            "Choose one of your partners.",
        ));
    }
    Ok(draft)
}

fn snapshot(rule: &Rule) -> serde_json::Value {
    json!({
        "rule_id": rule.rule_id,
        "version": rule.version,
        "name": rule.name,
        "terms": rule.summary(),
        "scope": rule.scope.name().as_str(),
        "scope_value": rule.scope.value(),
        "priority": rule.priority,
        "effective_from": rule.effective_from,
        "effective_to": rule.effective_to,
    })
}

async fn audit_rule(
    caller: &Caller,
    db: &impl ConnectionTrait,
    action: AuditAction,
    rule: &Rule,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), AppError> {
    audit::by_caller(
        caller,
        db,
        Entry {
            action,
            entity_type: "commission_rule",
            entity_id: Some(rule.rule_id),
            before,
            after,
        },
    )
    .await?;
    Ok(())
}

/// The version a new one follows or an end date applies to: the latest that still applies.
fn latest_active(versions: &[Version]) -> Result<&Version, AppError> {
    versions
        .iter()
        .filter(|v| v.active)
        .max_by_key(|v| v.rule.version)
        .ok_or_else(not_found)
}

fn changed_meanwhile() -> AppError {
    AppError::Conflict("This rule was changed a moment ago; reload it and try again.".into())
}

pub async fn save(caller: &Caller, rule_id: Option<i64>, form: RuleForm) -> Result<i64, AppError> {
    caller.require(Action::Edit, Resource::CommissionRules)?;
    let draft = draft_of(caller, &form).await?;
    let now = Utc::now();
    let txn = crate::repo::begin_write(caller.db()).await?;
    let Some(rule_id) = rule_id else {
        let rule = repo::commission_rules::insert(
            &caller.tenant,
            &txn,
            &draft,
            None,
            1,
            caller.user.id.0,
            now,
        )
        .await?;
        audit_rule(
            caller,
            &txn,
            AuditAction::CommissionRuleCreated,
            &rule,
            None,
            Some(snapshot(&rule)),
        )
        .await?;
        txn.commit().await?;
        return Ok(rule.rule_id);
    };
    let versions = repo::commission_rules::versions(&caller.tenant, &txn, Some(rule_id)).await?;
    let latest = latest_active(&versions)?;
    let previous = &latest.rule;
    if draft.effective_from < previous.effective_from {
        return Err(AppError::invalid_field(
            "effective_from",
            format!(
                "Version {} applies from {}: a new version starts on that day or later.",
                previous.version, previous.effective_from
            ),
        ));
    }
    let next_version = versions.iter().map(|v| v.rule.version).max().unwrap_or(0) + 1;
    // The previous version ends the day before (or, from the same day, gives way entirely).
    let (end, active) = if draft.effective_from == previous.effective_from {
        (previous.effective_to, false)
    } else {
        let day_before = draft.effective_from - Duration::days(1);
        (
            Some(
                previous
                    .effective_to
                    .map_or(day_before, |end| end.min(day_before)),
            ),
            true,
        )
    };
    if (end, active) != (previous.effective_to, true)
        && !repo::commission_rules::set_end(&caller.tenant, &txn, previous, end, active).await?
    {
        return Err(changed_meanwhile());
    }
    let rule = repo::commission_rules::insert(
        &caller.tenant,
        &txn,
        &draft,
        Some(rule_id),
        next_version,
        caller.user.id.0,
        now,
    )
    .await?;
    let mut before = snapshot(previous);
    before["ends"] = json!(end);
    before["replaced"] = json!(!active);
    audit_rule(
        caller,
        &txn,
        AuditAction::CommissionRuleVersioned,
        &rule,
        Some(before),
        Some(snapshot(&rule)),
    )
    .await?;
    txn.commit().await?;
    Ok(rule_id)
}

pub async fn end(caller: &Caller, rule_id: i64, last_day: String) -> Result<(), AppError> {
    caller.require(Action::Edit, Resource::CommissionRules)?;
    let last_day: NaiveDate = last_day
        .trim()
        .parse()
        .map_err(|_| AppError::invalid_field("last_day", "Use a date such as 2026-12-31."))?;
    let txn = crate::repo::begin_write(caller.db()).await?;
    let versions = repo::commission_rules::versions(&caller.tenant, &txn, Some(rule_id)).await?;
    let latest = latest_active(&versions)?;
    let rule = &latest.rule;
    if last_day < rule.effective_from {
        return Err(AppError::invalid_field(
            "last_day",
            format!(
                "Version {} starts on {}: the last day cannot be before it.",
                rule.version, rule.effective_from
            ),
        ));
    }
    if rule.effective_to.is_some_and(|end| end <= last_day) {
        return Err(AppError::invalid_field(
            "last_day",
            "The rule already ends on or before that day.",
        ));
    }
    if !repo::commission_rules::set_end(&caller.tenant, &txn, rule, Some(last_day), true).await? {
        return Err(changed_meanwhile());
    }
    let mut after = snapshot(rule);
    after["effective_to"] = json!(last_day);
    audit_rule(
        caller,
        &txn,
        AuditAction::CommissionRuleEnded,
        rule,
        Some(snapshot(rule)),
        Some(after),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn quarter_name(day: NaiveDate) -> String {
    format!("Q{} {}", day.month0() / 3 + 1, day.year())
}

pub async fn preview(
    caller: &Caller,
    rule_id: Option<i64>,
    form: RuleForm,
) -> Result<RulePreview, AppError> {
    caller.require(Action::View, Resource::CommissionRules)?;
    let draft = draft_of(caller, &form).await?;
    let range = Period::LastQuarter.range(Utc::now().date_naive());
    let (from, to) = (range.start, range.end - Duration::days(1));
    let current = repo::commission_rules::in_force(&caller.tenant, caller.db()).await?;
    let version = match rule_id {
        Some(id) => {
            current
                .iter()
                .filter(|r| r.rule_id == id)
                .map(|r| r.version)
                .max()
                .ok_or_else(not_found)?
                + 1
        }
        None => 1,
    };
    // A rule not saved yet needs an id no stored rule has.
    let rule_id = rule_id.unwrap_or(-1);
    let proposal = draft.into_rule(-1, rule_id, version);
    let as_if_whole_period = !(proposal.in_force(from)
        || proposal.in_force(to)
        || (from..=to).contains(&proposal.effective_from));
    let proposed = commission_rules::with_proposal(&current, proposal, from, to);
    let (payable, _) =
        repo::organizations::attribution_settings(caller.db(), caller.tenant.organization_id())
            .await?;
    let credits =
        repo::commission_rules::credits_won(&caller.tenant, caller.db(), payable, range).await?;
    let changes = commission_rules::replay(&current, &proposed, &credits)?;

    let mut totals: BTreeMap<String, (Money, Money)> = BTreeMap::new();
    for change in &changes {
        let currency = change.current.currency();
        let entry = totals
            .entry(currency.to_string())
            .or_insert((Money::zero(currency), Money::zero(currency)));
        entry.0 = entry.0.checked_add(change.current)?;
        entry.1 = entry.1.checked_add(change.proposed)?;
    }
    let moved: Vec<_> = changes.iter().filter(|c| c.current != c.proposed).collect();
    let ids: Vec<i64> = moved.iter().map(|c| c.partner.0).collect();
    let names = repo::deals::names_of(&caller.tenant, caller.db(), &ids).await?;
    Ok(RulePreview {
        period: quarter_name(from),
        credits: credits.len() as u32,
        as_if_whole_period,
        unchanged: (changes.len() - moved.len()) as u32,
        rows: moved
            .into_iter()
            .map(|c| PreviewRow {
                partner_id: c.partner,
                partner_name: names
                    .get(&c.partner.0)
                    .cloned()
                    .unwrap_or_else(|| format!("Partner #{}", c.partner.0)),
                deals: c.deals,
                current: c.current,
                proposed: c.proposed,
                difference: c.difference(),
            })
            .collect(),
        totals: totals.into_values().collect(),
    })
}
