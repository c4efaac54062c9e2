//! Webhooks: the events an endpoint can subscribe to, which audited changes raise them, the retry
//! schedule, and the endpoint form. Signing and sending live on the server (`server::webhooks`).

use serde::{Deserialize, Serialize};

use super::audit::AuditAction;
use super::labels::label_enum;

label_enum! {
    /// What happened, as the `type` of a webhook message.
    pub enum EventType ("event") {
        DealWon => "deal.won",
        DealLost => "deal.lost",
        /// A won deal was attributed (at the win, or again after its touches or amount changed).
        AttributionComputed => "attribution.computed",
        /// A commission entry was booked (a commission, an adjustment or a clawback).
        CommissionCreated => "commission.created",
        PayoutApproved => "payout.approved",
        PayoutPaid => "payout.paid",
        DisputeOpened => "dispute.opened",
        DisputeResolved => "dispute.resolved",
        PartnerCreated => "partner.created",
    }
}

impl EventType {
    /// The events an audited change raises.
    pub fn raised_by(action: AuditAction) -> &'static [EventType] {
        use EventType::*;
        match action {
            AuditAction::DealWon => &[DealWon, AttributionComputed],
            AuditAction::DealReattributed => &[AttributionComputed],
            AuditAction::DealLost => &[DealLost],
            AuditAction::PayoutCreated => &[CommissionCreated],
            AuditAction::PayoutApproved => &[PayoutApproved],
            AuditAction::PayoutPaid => &[PayoutPaid],
            AuditAction::DisputeOpened => &[DisputeOpened],
            AuditAction::DisputeResolved => &[DisputeResolved],
            AuditAction::PartnerCreated => &[PartnerCreated],
            _ => &[],
        }
    }

    pub fn describe(self) -> &'static str {
        use EventType::*;
        match self {
            DealWon => "A deal was won",
            DealLost => "A deal was lost",
            AttributionComputed => "A won deal's credit was split (or split again)",
            CommissionCreated => "A commission, adjustment or clawback was booked",
            PayoutApproved => "A payout was approved",
            PayoutPaid => "A payout was paid",
            DisputeOpened => "A partner opened a dispute",
            DisputeResolved => "A dispute was resolved",
            PartnerCreated => "A partner was added",
        }
    }
}

label_enum! {
    /// Where a delivery stands.
    pub enum DeliveryStatus ("delivery status") {
        /// Waiting for its first attempt or a retry.
        Pending => "pending",
        /// The endpoint answered 2xx.
        Delivered => "delivered",
        /// Out of retries, or the endpoint was switched off.
        Failed => "failed",
    }
}

/// Seconds to wait after each failed attempt: the first retry after 5 s, the last about 10
/// hours after the first try. After the last, the delivery has failed.
pub const RETRY_SCHEDULE: &[u32] = &[5, 30, 120, 600, 1_800, 3_600, 7_200, 21_600];

/// The wait before the next attempt after `failed` attempts (counting the one that just failed),
/// in schedule units (seconds in production); `None` when the delivery has run out of retries.
pub fn retry_delay(failed: u32) -> Option<u32> {
    let index = usize::try_from(failed.checked_sub(1)?).ok()?;
    RETRY_SCHEDULE.get(index).copied()
}

/// Failed attempts in a row, across all of an endpoint's deliveries, after which the endpoint
/// is switched off (about two days of failing retries, or a burst of failing traffic).
pub const DISABLE_AFTER_FAILURES: u32 = 20;

/// An endpoint as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointForm {
    pub url: String,
    #[serde(default)]
    pub description: String,
    /// Event types; empty means none chosen (refused).
    #[serde(default)]
    pub events: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointDraft {
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<EventType>,
}

/// Whether an endpoint URL may point at loopback, private or plain-http targets (tests and
/// development); production sends only to public https addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Targets {
    PublicHttpsOnly,
    AnyHttp,
}

/// The host of an `http(s)://` URL as typed, with any port; `Err` with the user's message when
/// the address hides its host (user names before `@`, backslashes, which browsers and HTTP
/// clients read as `/`).
fn host_of(url: &str) -> Result<&str, String> {
    let full = || "Enter the full address, starting with https://.".to_owned();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err(full());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains(['@', '\\']) || rest.starts_with('\\') {
        return Err("Leave user names, passwords and backslashes out of the address.".to_owned());
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().map(|h| &authority[..h.len() + 2])
    } else {
        authority.split(':').next()
    };
    host.filter(|h| !h.is_empty()).ok_or_else(full)
}

/// Why the app may not send to `url` under `targets`, if it may not: what the webhook and CRM
/// settings pages tell the user. This reads the address as typed; the server checks the
/// address it actually connects to again (`server::outbound`), so a public name that resolves
/// to a private address is refused there.
pub fn target_problem(url: &str, targets: Targets) -> Option<String> {
    if url.len() > 2_000 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("This address is too long or has spaces.".to_owned());
    }
    let host = match host_of(url) {
        Ok(host) => host,
        Err(problem) => return Some(problem),
    };
    if targets == Targets::AnyHttp {
        return None;
    }
    if !url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    {
        Some("Use https:// so the messages travel encrypted.".to_owned())
    } else if super::net::is_internal_host(host) {
        Some(
            "This address is on a private network; use one reachable from the internet.".to_owned(),
        )
    } else {
        None
    }
}

impl EndpointForm {
    pub fn validate(&self, targets: Targets) -> Result<EndpointDraft, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let url = self.url.trim();
        if let Some(problem) = target_problem(url, targets) {
            errors.push(("url", problem));
        }
        let description = self.description.trim();
        if description.chars().count() > 200 {
            errors.push((
                "description",
                "Keep the description under 200 characters.".to_owned(),
            ));
        }
        let mut events = Vec::new();
        for event in &self.events {
            match event.parse::<EventType>() {
                Ok(event) if !events.contains(&event) => events.push(event),
                Ok(_) => {}
                Err(err) => errors.push(("events", err.to_string())),
            }
        }
        if self.events.is_empty() {
            errors.push(("events", "Choose at least one event.".to_owned()));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        events.sort();
        Ok(EndpointDraft {
            url: url.to_owned(),
            description: (!description.is_empty()).then(|| description.to_owned()),
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audited_changes_raise_their_events() {
        assert_eq!(
            EventType::raised_by(AuditAction::DealWon),
            [EventType::DealWon, EventType::AttributionComputed]
        );
        assert_eq!(
            EventType::raised_by(AuditAction::PayoutPaid),
            [EventType::PayoutPaid]
        );
        assert!(EventType::raised_by(AuditAction::DealUpdated).is_empty());
        // Every event is raised by some audited change.
        for event in EventType::ALL {
            assert!(
                AuditAction::ALL
                    .iter()
                    .any(|a| EventType::raised_by(*a).contains(event)),
                "{event}"
            );
        }
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_delay(0), None);
        assert_eq!(retry_delay(1), Some(5));
        assert_eq!(retry_delay(2), Some(30));
        let delays: Vec<u32> = (1..=RETRY_SCHEDULE.len() as u32)
            .filter_map(retry_delay)
            .collect();
        assert!(
            delays.windows(2).all(|w| w[0] < w[1]),
            "each wait longer than the last"
        );
        assert_eq!(retry_delay(RETRY_SCHEDULE.len() as u32 + 1), None);
    }

    fn form(url: &str, events: &[&str]) -> EndpointForm {
        EndpointForm {
            url: url.into(),
            description: String::new(),
            events: events.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn endpoints_need_a_public_https_address_and_known_events() {
        let ok = form(
            "https://hooks.example.com/pa",
            &["deal.won", "payout.paid", "deal.won"],
        );
        let draft = ok.validate(Targets::PublicHttpsOnly).unwrap();
        assert_eq!(draft.events, [EventType::DealWon, EventType::PayoutPaid]);
        for bad in [
            "http://hooks.example.com/pa",
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://localhost:8080/",
            "https://[::1]/x",
            "https://169.254.169.254/latest",
            "ftp://example.com",
            "hooks.example.com",
            // Other spellings of internal addresses, and hosts hidden behind `@` or `\\`.
            "https://2130706433/x",
            "https://0x7f.1/x",
            "https://0177.0.0.1/x",
            "https://127.1:8443/x",
            "https://localhost./x",
            "https://[::ffff:127.0.0.1]/x",
            "https://[fd00::1]/x",
            "https://[fe80::1]/x",
            "https://100.64.0.1/x",
            "https://hooks.example.com@127.0.0.1/x",
            "https://127.0.0.1\\@hooks.example.com/x",
            "https://hooks.example.com\t/x",
            "HTTPS://LOCALHOST/x",
        ] {
            let errors = form(bad, &["deal.won"])
                .validate(Targets::PublicHttpsOnly)
                .unwrap_err();
            assert_eq!(errors[0].0, "url", "{bad}");
        }
        assert!(
            form("http://127.0.0.1:9999/hook", &["deal.won"])
                .validate(Targets::AnyHttp)
                .is_ok()
        );
        let errors = form("https://hooks.example.com", &[])
            .validate(Targets::AnyHttp)
            .unwrap_err();
        assert_eq!(errors[0].0, "events");
        let errors = form("https://hooks.example.com", &["deal.exploded"])
            .validate(Targets::AnyHttp)
            .unwrap_err();
        assert!(errors[0].1.contains("deal.exploded"));
    }
}
