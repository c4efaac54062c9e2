//! API keys: what a key may do (its scope), the shape of a key, and the form that names one.
//!
//! A key reads `pa_<prefix>_<secret>`. The prefix is public (shown in the list, used to find the
//! key); the whole key is stored only as a digest and shown once, when created.

use serde::{Deserialize, Serialize};

use super::access::{Action, Resource};
use super::labels::label_enum;

label_enum! {
    /// What a key may do. Both reach only the key's organization.
    pub enum KeyScope ("scope") {
        /// Read partners, deals, touchpoints, attribution results, commissions, payouts and
        /// webhook endpoints.
        Read => "read",
        /// Read, and create or change partners, deals, touchpoints and webhook endpoints.
        Write => "write",
    }
}

impl KeyScope {
    /// The role matrix of a key. No key approves, pays, exports or administers: those stay with
    /// people signed in to the app.
    pub fn can(self, action: Action, resource: Resource) -> bool {
        use Resource::*;
        let readable = matches!(
            resource,
            Partners | Deals | Touchpoints | Attribution | CommissionRules | Payouts | Webhooks
        );
        let writable = matches!(resource, Partners | Deals | Touchpoints | Webhooks);
        match action {
            Action::View => readable,
            Action::Edit => self == KeyScope::Write && writable,
            Action::Approve | Action::Export => false,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            KeyScope::Read => {
                "Read partners, deals, touchpoints, attribution, commissions and payouts"
            }
            KeyScope::Write => {
                "Read everything a read key can, and create or update partners, deals, touchpoints and webhooks"
            }
        }
    }
}

/// What every key starts with, so a leaked key is recognisable (secret scanners, logs).
pub const KEY_PREFIX: &str = "pa_";

/// The public part of a presented key, if it has the shape of one: `pa_<prefix>_<secret>`.
pub fn prefix_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(KEY_PREFIX)?;
    let (prefix, secret) = rest.split_once('_')?;
    let well_formed = !prefix.is_empty()
        && prefix.len() <= 24
        && prefix.chars().all(|c| c.is_ascii_alphanumeric())
        && secret.len() >= 32;
    well_formed.then_some(prefix)
}

/// A key being created: its name and scope as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyForm {
    pub name: String,
    pub scope: String,
}

/// A key's name and scope once they parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyDraft {
    pub name: String,
    pub scope: KeyScope,
}

pub const NAME_MAX: usize = 100;

impl ApiKeyForm {
    pub fn validate(&self) -> Result<ApiKeyDraft, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let name = match super::text::line(&self.name) {
            Err(problem) => Err(problem),
            Ok(name) if name.is_empty() => Err("Name the key after what will use it.".to_owned()),
            Ok(name) if name.chars().count() > NAME_MAX => {
                Err(format!("Keep the name under {NAME_MAX} characters."))
            }
            Ok(name) => Ok(name),
        }
        .map_err(|problem| errors.push(("name", problem)))
        .unwrap_or_default();
        let scope = self.scope.parse::<KeyScope>();
        if scope.is_err() {
            errors.push(("scope", "Choose read or write.".to_owned()));
        }
        match scope {
            Ok(scope) if errors.is_empty() => Ok(ApiKeyDraft {
                name: name.to_owned(),
                scope,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_keys_only_read_and_write_keys_edit_the_crm_records() {
        for &resource in Resource::ALL {
            for &action in Action::ALL {
                let read = KeyScope::Read.can(action, resource);
                let write = KeyScope::Write.can(action, resource);
                // A write key can do all a read key can.
                assert!(!read || write, "{action} {resource}");
                if action != Action::View {
                    assert!(!read, "read key may {action} {resource}");
                }
            }
        }
        assert!(KeyScope::Read.can(Action::View, Resource::Payouts));
        assert!(KeyScope::Write.can(Action::Edit, Resource::Deals));
        assert!(!KeyScope::Write.can(Action::Edit, Resource::Payouts));
        assert!(!KeyScope::Write.can(Action::Approve, Resource::Payouts));
        assert!(!KeyScope::Write.can(Action::View, Resource::Users));
        assert!(!KeyScope::Write.can(Action::View, Resource::Portal));
    }

    #[test]
    fn presented_keys_parse_to_their_prefix() {
        let secret = "a".repeat(43);
        assert_eq!(prefix_of(&format!("pa_abc123_{secret}")), Some("abc123"));
        // The secret may itself contain underscores.
        assert_eq!(prefix_of(&format!("pa_abc123_x_{secret}")), Some("abc123"));
        assert_eq!(prefix_of(&format!("pk_abc123_{secret}")), None);
        assert_eq!(prefix_of("pa_abc123_short"), None);
        assert_eq!(prefix_of(&format!("pa__{secret}")), None);
        assert_eq!(prefix_of(&format!("pa_ab-c_{secret}")), None);
        assert_eq!(prefix_of(""), None);
    }

    #[test]
    fn the_form_needs_a_name_and_a_known_scope() {
        let ok = ApiKeyForm {
            name: "  HubSpot sync ".into(),
            scope: "write".into(),
        };
        assert_eq!(
            ok.validate(),
            Ok(ApiKeyDraft {
                name: "HubSpot sync".into(),
                scope: KeyScope::Write
            })
        );
        let bad = ApiKeyForm {
            name: " ".into(),
            scope: "admin".into(),
        };
        let fields: Vec<_> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(fields, ["name", "scope"]);
        let long = ApiKeyForm {
            name: "x".repeat(NAME_MAX + 1),
            scope: "read".into(),
        };
        assert!(long.validate().is_err());
    }
}
