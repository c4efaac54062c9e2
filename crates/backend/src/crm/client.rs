//! What every connector shares: the connection as the worker uses it, a page of deals, and one
//! way to send a request and read the CRM's answer, rate limits and errors included.

use crate::outbound::{Outbound, SendError};
use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

use domain::crm::{CrmDeal, CrmKind, CrmSettings};

/// A connection ready to talk to its CRM (token opened).
#[derive(Debug, Clone)]
pub struct Connection {
    pub kind: CrmKind,
    pub base_url: String,
    /// What requests authenticate with: the stored token, or an access token signed in for.
    pub token: String,
    /// A secret the connection signs in with for a fresh access token (Salesforce's consumer
    /// secret, with `settings.client_id`); none when the stored token is used as it is.
    pub sign_in_secret: Option<String>,
    pub settings: CrmSettings,
}

impl Connection {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.trim_end_matches('/'))
    }
}

/// A CRM record read, or why it could not be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Deal(CrmDeal),
    /// A deal deleted in the CRM (HubSpot's archived deals, Salesforce's recycle bin,
    /// Pipedrive's deleted status).
    Deleted {
        id: String,
        name: String,
    },
    Unreadable {
        id: String,
        name: String,
        message: String,
    },
}

/// One page of deals and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    pub records: Vec<Record>,
    pub next: Option<String>,
    /// How many records the whole query has, when the CRM says.
    pub total: Option<i64>,
}

/// Why a request to the CRM did not give an answer to use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrmError {
    /// Too many requests: try again after `wait`.
    #[error("{crm} is limiting requests; retrying in {} s", wait.as_secs())]
    RateLimited { crm: &'static str, wait: Duration },
    /// The CRM did not take the token (401); one the connection signs in for is renewed once.
    #[error("{0}")]
    Unauthorized(String),
    /// The CRM could not be reached or failed (5xx): worth retrying.
    #[error("{0}")]
    Unavailable(String),
    /// The CRM refused the request (bad token, missing permission, unknown field): the
    /// connection's settings need changing.
    #[error("{0}")]
    Refused(String),
}

/// How long a CRM asks to wait: `Retry-After` (seconds), else Pipedrive's
/// `x-ratelimit-reset`, else ten seconds.
fn wait_of(headers: &reqwest::header::HeaderMap) -> Duration {
    ["retry-after", "x-ratelimit-reset"]
        .iter()
        .find_map(|name| {
            headers
                .get(*name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(Duration::from_secs(10), |s| {
            Duration::from_secs(s.min(3600))
        })
}

/// The message in a CRM's error body: HubSpot `{message}`, Salesforce `[{message, errorCode}]`,
/// OAuth `{error, error_description}`, Pipedrive `{error}`.
fn message_of(body: &Value) -> Option<String> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    body.get("message")
        .and_then(text)
        .or_else(|| {
            let description = body.get("error_description").and_then(text)?;
            Some(match body.get("error").and_then(text) {
                Some(code) => format!("{code}: {description}"),
                None => description,
            })
        })
        .or_else(|| {
            let first = body.get(0)?;
            let message = first.get("message").and_then(text)?;
            Some(match first.get("errorCode").and_then(|c| c.as_str()) {
                Some(code) => format!("{code}: {message}"),
                None => message,
            })
        })
        .or_else(|| body.get("error").and_then(text))
}

/// Sends a request and reads its JSON answer (`Null` for an empty one).
pub async fn send(
    http: &Outbound,
    kind: CrmKind,
    request: RequestBuilder,
) -> Result<Value, CrmError> {
    let crm = kind.name();
    let response = http.send(request).await.map_err(|e| match e {
        SendError::Refused(why) => CrmError::Refused(why),
        e @ SendError::Http(_) => CrmError::Unavailable(format!("{crm} could not be reached: {e}")),
    })?;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| CrmError::Unavailable(format!("{crm}'s answer broke off: {e}")))?;
    let body: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    if status.is_success() {
        if body.is_null() && !bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(CrmError::Unavailable(format!(
                "{crm} answered with something other than JSON."
            )));
        }
        return Ok(body);
    }
    let said = message_of(&body)
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    Err(match status {
        StatusCode::TOO_MANY_REQUESTS => CrmError::RateLimited {
            crm,
            wait: wait_of(&headers),
        },
        StatusCode::UNAUTHORIZED => CrmError::Unauthorized(format!(
            "{crm} did not accept the token (401){said}. Enter a new token in the settings."
        )),
        StatusCode::FORBIDDEN => CrmError::Refused(format!(
            "{crm} refused access (403){said}. Check the token's permissions."
        )),
        s if s.is_server_error() => {
            CrmError::Unavailable(format!("{crm} failed ({}){said}", s.as_u16()))
        }
        s => CrmError::Refused(format!("{crm} refused the request ({}){said}", s.as_u16())),
    })
}

/// A write-back's fields as a JSON object, each value as `value` spells it for the CRM.
pub fn field_map(
    back: &domain::crm::WriteBack,
    value: impl Fn(&str) -> Value,
) -> serde_json::Map<String, Value> {
    back.fields
        .iter()
        .map(|(field, text)| (field.clone(), value(text)))
        .collect()
}

/// A JSON value as text: strings as they are, numbers written out (a JSON number such as an
/// amount keeps the digits it was sent with), anything else empty.
pub fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A time as the CRMs write it: RFC 3339, Salesforce's `+0000` offsets, Pipedrive's
/// `YYYY-MM-DD HH:MM:SS` (UTC), or epoch milliseconds.
pub fn time(value: Option<&Value>) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    let text = text(value);
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|t| t.and_utc())
        })
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(domain::crm::start_of)
        })
        .or_else(|| {
            text.parse::<i64>()
                .ok()
                .and_then(DateTime::<Utc>::from_timestamp_millis)
        })
}

pub fn date(value: Option<&Value>) -> Option<chrono::NaiveDate> {
    let text = text(value);
    chrono::NaiveDate::parse_from_str(text.get(..10).unwrap_or(""), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_in_every_crms_spelling() {
        let want: chrono::DateTime<chrono::Utc> = "2026-03-01T10:00:00Z".parse().unwrap();
        for spelling in [
            json!("2026-03-01T10:00:00Z"),
            json!("2026-03-01T10:00:00.000Z"),
            json!("2026-03-01T10:00:00.000+0000"),
            json!("2026-03-01 10:00:00"),
            json!("1772359200000"),
        ] {
            assert_eq!(time(Some(&spelling)), Some(want), "{spelling}");
        }
        assert_eq!(time(Some(&json!(null))), None);
        assert_eq!(
            date(Some(&json!("2026-03-01T10:00:00Z")))
                .unwrap()
                .to_string(),
            "2026-03-01"
        );
    }

    #[test]
    fn amounts_keep_their_digits() {
        let body: Value = serde_json::from_str(r#"{"a": 48000.5, "b": "12.30"}"#).unwrap();
        assert_eq!(text(body.get("a")), "48000.5");
        assert_eq!(text(body.get("b")), "12.30");
    }

    #[test]
    fn error_messages_in_each_crms_shape() {
        assert_eq!(
            message_of(&json!({"status": "error", "message": "Bad token"})).unwrap(),
            "Bad token"
        );
        assert_eq!(
            message_of(&json!([{"message": "Session expired", "errorCode": "INVALID_SESSION_ID"}]))
                .unwrap(),
            "INVALID_SESSION_ID: Session expired"
        );
        assert_eq!(
            message_of(&json!({"success": false, "error": "Unauthorized"})).unwrap(),
            "Unauthorized"
        );
    }
}
