//! Webhook endpoints (administrators): subscribe an address to events, see each endpoint's
//! signing secret and delivery log, switch it off and on, redeliver a message.

use chrono::{DateTime, Utc};
use domain::webhook::{DeliveryStatus, EndpointForm, EventType};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRow {
    pub id: i64,
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<EventType>,
    pub enabled: bool,
    /// Why it is switched off (by a person, or after repeated failure).
    pub disabled_reason: Option<String>,
    /// Failed attempts in a row.
    pub failure_streak: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub message_id: String,
    pub event: EventType,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The endpoint's HTTP status on the last attempt (none when it could not be reached).
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointDetail {
    pub endpoint: EndpointRow,
    /// The signing secret (`whsec_…`), for the receiver to verify signatures.
    pub secret: String,
    /// The newest deliveries first.
    pub deliveries: Vec<DeliveryRow>,
    pub form: EndpointForm,
}

/// Deliveries the endpoint page lists.
pub const DELIVERIES_SHOWN: u64 = 100;

/// Which endpoint addresses this server sends to: public `https://` ones only, or (with
/// `allow-private-targets` in its settings, for development and on-premises receivers) also
/// plain `http://` and private network addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRule {
    pub private_allowed: bool,
}
