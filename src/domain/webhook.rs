//! Webhooks: the events an endpoint can subscribe to, which audited changes raise them, the retry
//! schedule, and the endpoint form. Signing and sending live on the server (`server::webhooks`).

use serde::{Deserialize, Serialize};

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
    /// The events an audited change raises (its audit action, such as `deal.won`).
    pub fn raised_by(action: &str) -> &'static [EventType] {
        use EventType::*;
        match action {
            "deal.won" => &[DealWon, AttributionComputed],
            "deal.reattributed" => &[AttributionComputed],
            "deal.lost" => &[DealLost],
            "payout.created" => &[CommissionCreated],
            "payout.approved" => &[PayoutApproved],
            "payout.paid" => &[PayoutPaid],
            "dispute.opened" => &[DisputeOpened],
            "dispute.resolved" => &[DisputeResolved],
            "partner.created" => &[PartnerCreated],
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

fn host_of(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then_some(host)
}

/// Loopback, private, link-local and unspecified addresses, and `localhost`.
fn is_internal(host: &str) -> bool {
    let lower = host.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") || lower.ends_with(".internal") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.is_unspecified() || (ip.segments()[0] & 0xfe00) == 0xfc00
        }
        Err(_) => false,
    }
}

/// Why the app may not send to `url` under `targets`, if it may not: what the webhook and CRM
/// settings pages tell the user.
pub fn target_problem(url: &str, targets: Targets) -> Option<String> {
    match host_of(url) {
        None => Some("Enter the full address, starting with https://.".to_owned()),
        Some(_) if url.len() > 2_000 || url.chars().any(char::is_whitespace) => {
            Some("This address is too long or has spaces.".to_owned())
        }
        Some(host) if targets == Targets::PublicHttpsOnly => {
            if !url.starts_with("https://") {
                Some("Use https:// so the messages travel encrypted.".to_owned())
            } else if is_internal(host) {
                Some(
                    "This address is on a private network; use one reachable from the internet."
                        .to_owned(),
                )
            } else {
                None
            }
        }
        Some(_) => None,
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
            EventType::raised_by("deal.won"),
            [EventType::DealWon, EventType::AttributionComputed]
        );
        assert_eq!(EventType::raised_by("payout.paid"), [EventType::PayoutPaid]);
        assert!(EventType::raised_by("deal.updated").is_empty());
        // Every event is raised by some audited change.
        let actions = [
            "deal.won",
            "deal.lost",
            "deal.reattributed",
            "payout.created",
            "payout.approved",
            "payout.paid",
            "dispute.opened",
            "dispute.resolved",
            "partner.created",
        ];
        for event in EventType::ALL {
            assert!(
                actions
                    .iter()
                    .any(|a| EventType::raised_by(a).contains(event)),
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
