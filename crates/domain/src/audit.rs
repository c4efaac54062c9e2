//! Reading the audit trail: what changed between an event's before and after.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::labels::label_enum;
use super::money::{Currency, Money};

label_enum! {
    /// What happened, as an audit event records it (`entity.verb`). The audit trail, the
    /// webhook events (`EventType::raised_by`) and the activity page all name changes by these;
    /// a misspelt action does not compile.
    pub enum AuditAction ("audit action") {
        DealCreated => "deal.created",
        DealUpdated => "deal.updated",
        DealWon => "deal.won",
        DealLost => "deal.lost",
        DealReopened => "deal.reopened",
        /// A won deal's credit was split again (its touches, amount or the payable model changed).
        DealReattributed => "deal.reattributed",
        TouchpointCreated => "touchpoint.created",
        TouchpointUpdated => "touchpoint.updated",
        TouchpointRemoved => "touchpoint.removed",
        /// A commission, adjustment or clawback was booked.
        PayoutCreated => "payout.created",
        PayoutResized => "payout.resized",
        PayoutCancelled => "payout.cancelled",
        PayoutApproved => "payout.approved",
        PayoutRejected => "payout.rejected",
        PayoutPaid => "payout.paid",
        DisputeOpened => "dispute.opened",
        DisputeReplied => "dispute.replied",
        DisputeUnderReview => "dispute.under_review",
        DisputeResolved => "dispute.resolved",
        DisputeRejected => "dispute.rejected",
        PartnerCreated => "partner.created",
        PartnerUpdated => "partner.updated",
        PartnerStatusChanged => "partner.status_changed",
        PartnerContactsUpdated => "partner.contacts_updated",
        PartnerPayoutDetailsUpdated => "partner.payout_details_updated",
        RegistrationCreated => "registration.created",
        RegistrationApproved => "registration.approved",
        RegistrationRejected => "registration.rejected",
        RegistrationExpired => "registration.expired",
        CommissionRuleCreated => "commission_rule.created",
        CommissionRuleVersioned => "commission_rule.versioned",
        CommissionRuleEnded => "commission_rule.ended",
        UserCreated => "user.created",
        UserInvited => "user.invited",
        UserInvitationAccepted => "user.invitation_accepted",
        UserRoleChanged => "user.role_changed",
        UserDeactivated => "user.deactivated",
        UserReactivated => "user.reactivated",
        UserSignedIn => "user.signed_in",
        UserSignedOut => "user.signed_out",
        UserSignInFailed => "user.sign_in_failed",
        UserPasswordResetRequested => "user.password_reset_requested",
        UserPasswordReset => "user.password_reset",
        OrganizationCreated => "organization.created",
        DemoDataLoaded => "demo_data.loaded",
        AttributionSettingsUpdated => "attribution_settings.updated",
        ProgramSettingsUpdated => "program_settings.updated",
        PayoutSettingsUpdated => "payout_settings.updated",
        RegistrationSettingsUpdated => "registration_settings.updated",
        FxRateSaved => "fx_rate.saved",
        ApiKeyCreated => "api_key.created",
        ApiKeyRevoked => "api_key.revoked",
        WebhookEndpointCreated => "webhook_endpoint.created",
        WebhookEndpointUpdated => "webhook_endpoint.updated",
        WebhookEndpointEnabled => "webhook_endpoint.enabled",
        WebhookEndpointDisabled => "webhook_endpoint.disabled",
        WebhookEndpointDeleted => "webhook_endpoint.deleted",
        WebhookDeliveryRedelivered => "webhook_delivery.redelivered",
        ImportStarted => "import.started",
        ImportCancelled => "import.cancelled",
        CrmConnectionSaved => "crm_connection.saved",
        CrmConnectionRemoved => "crm_connection.removed",
        CrmSyncStarted => "crm_sync.started",
        CrmSyncCancelled => "crm_sync.cancelled",
    }
}

impl AuditAction {
    /// The action that records a dispute reaching `status`.
    pub fn dispute_reached(status: super::payout::DisputeStatus) -> AuditAction {
        use super::payout::DisputeStatus;
        match status {
            DisputeStatus::Open => AuditAction::DisputeOpened,
            DisputeStatus::UnderReview => AuditAction::DisputeUnderReview,
            DisputeStatus::Resolved => AuditAction::DisputeResolved,
            DisputeStatus::Rejected => AuditAction::DisputeRejected,
        }
    }
}

/// One field that an event changed, each side as display text (`None` when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A stored value as people read it: amounts (`…_minor` fields, credit maps) as money in the
/// record's currency, lists item by item, nested records as short phrases ("partner 3,
/// resize, $4,800.00"), never as JSON.
fn text(value: &Value, currency: Option<Currency>) -> String {
    render(None, value, currency)
}

fn render(key: Option<&str>, value: &Value, currency: Option<Currency>) -> String {
    let is_money = key.is_some_and(|k| k.ends_with("_minor") || k.starts_with("credit"));
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        Value::Number(n) if is_money => match (n.as_i64(), currency) {
            (Some(minor), Some(currency)) => Money::from_minor(minor, currency).format(),
            (Some(minor), None) => format!("{minor} minor units"),
            _ => n.to_string(),
        },
        Value::Array(items) if items.is_empty() => "none".into(),
        Value::Array(items) => items
            .iter()
            .map(|item| render(key, item, currency))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(map) => {
            // Who first (ids), then what happened, then how much.
            let rank = |k: &str| match k {
                _ if k.ends_with("_id") => 0,
                "change" | "kind" => 1,
                _ if k.ends_with("_minor") => 3,
                _ => 2,
            };
            let mut entries: Vec<(&String, &Value)> =
                map.iter().filter(|(_, v)| !v.is_null()).collect();
            entries.sort_by_key(|(k, _)| rank(k));
            entries
                .into_iter()
                .map(|(k, v)| {
                    if k.bytes().all(|b| b.is_ascii_digit()) {
                        // A map by id, such as credit per partner.
                        format!("partner {k}: {}", render(key, v, currency))
                    } else if let Some(name) = k.strip_suffix("_id") {
                        format!("{} {}", name.replace('_', " "), render(None, v, currency))
                    } else if k.ends_with("_minor") || k == "change" || k == "kind" {
                        render(Some(k), v, currency)
                    } else {
                        format!("{} {}", k.replace('_', " "), render(Some(k), v, currency))
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
        other => other.to_string(),
    }
}

/// The currency a snapshot's amounts are in (its `currency` field), if it names one.
fn currency_of(value: Option<&Value>) -> Option<Currency> {
    value?.get("currency")?.as_str()?.parse().ok()
}

/// The fields that differ between `before` and `after` (JSON objects; anything else counts as
/// one unnamed field): the fields it had, by name, then the ones it gained.
pub fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let currency = currency_of(after).or_else(|| currency_of(before));
    let empty = serde_json::Map::new();
    let object = |v: Option<&Value>| match v {
        Some(Value::Object(map)) => Some(map.clone()),
        Some(Value::Null) | None => Some(empty.clone()),
        Some(_) => None,
    };
    let (Some(old), Some(new)) = (object(before), object(after)) else {
        let show = |v: Option<&Value>| v.map(|v| text(v, currency));
        return match show(before) == show(after) {
            true => Vec::new(),
            false => vec![FieldChange {
                field: String::new(),
                before: show(before),
                after: show(after),
            }],
        };
    };
    let mut fields: Vec<&String> = old.keys().collect();
    fields.extend(new.keys().filter(|k| !old.contains_key(*k)));
    fields
        .into_iter()
        .filter(|field| old.get(*field) != new.get(*field))
        .map(|field| FieldChange {
            field: field.clone(),
            before: old.get(field).map(|v| render(Some(field), v, currency)),
            after: new.get(field).map(|v| render(Some(field), v, currency)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn actions_are_distinct_entity_verbs_that_read_back() {
        let mut seen = std::collections::HashSet::new();
        for action in AuditAction::ALL {
            let label = action.as_str();
            let (entity, verb) = label.split_once('.').expect(label);
            assert!(
                !entity.is_empty() && !verb.is_empty() && !verb.contains('.'),
                "{label}"
            );
            assert!(seen.insert(label), "{label} twice");
            assert_eq!(label.parse::<AuditAction>(), Ok(*action));
        }
    }

    #[test]
    fn only_what_changed_is_listed() {
        let before = json!({ "status": "pending", "amount_minor": 100, "note": null });
        let after = json!({ "status": "approved", "amount_minor": 100, "note": "ok", "by": 3 });
        let changed = changes(Some(&before), Some(&after));
        let fields: Vec<&str> = changed.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["note", "status", "by"]);
        assert_eq!(changed[1].before.as_deref(), Some("pending"));
        assert_eq!(changed[0].before.as_deref(), Some("—"));
        assert_eq!(changed[2].before, None);
        assert_eq!(changed[2].after.as_deref(), Some("3"));
    }

    #[test]
    fn nested_records_and_amounts_read_as_words_and_money() {
        let after = json!({
            "why": "touchpoint added",
            "currency": "USD",
            "credit_after": { "3": 480_000, "5": 120_000 },
            "commissions": [
                { "partner_id": 3, "payout_id": 17, "change": "resize", "kind": null, "amount_minor": 480_000 },
                { "partner_id": 5, "commission_minor": 12_000, "basis": "rule Gold v1" },
            ],
        });
        let changed = changes(None, Some(&after));
        let shown = |field: &str| {
            changed
                .iter()
                .find(|c| c.field == field)
                .and_then(|c| c.after.clone())
                .unwrap()
        };
        assert_eq!(
            shown("commissions"),
            "partner 3, payout 17, resize, $4,800.00; partner 5, basis rule Gold v1, $120.00"
        );
        assert_eq!(
            shown("credit_after"),
            "partner 3: $4,800.00, partner 5: $1,200.00"
        );
        assert!(
            changed
                .iter()
                .all(|c| !c.after.as_deref().unwrap_or("").contains('{'))
        );
        // Without a currency the amount says what it is rather than guessing.
        let bare = changes(None, Some(&json!({ "amount_minor": 1500 })));
        assert_eq!(bare[0].after.as_deref(), Some("1500 minor units"));
        let none = changes(None, Some(&json!({ "commissions": [] })));
        assert_eq!(none[0].after.as_deref(), Some("none"));
    }

    #[test]
    fn creations_and_removals_show_one_side() {
        let row = json!({ "name": "Acme" });
        assert_eq!(changes(None, Some(&row))[0].after.as_deref(), Some("Acme"));
        assert_eq!(changes(Some(&row), None)[0].before.as_deref(), Some("Acme"));
        assert!(changes(Some(&row), Some(&row)).is_empty());
        let odd = changes(Some(&json!(1)), Some(&json!(2)));
        assert_eq!(
            (odd[0].before.as_deref(), odd[0].after.as_deref()),
            (Some("1"), Some("2"))
        );
    }
}
