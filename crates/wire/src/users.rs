//! The organization's users, invitations and outbox: administrators only.

use chrono::{DateTime, Utc};
use domain::ids::{PartnerId, UserId};
use domain::user::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub partner_name: Option<String>,
    pub active: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    /// The row of the caller: its role and status cannot be changed from here.
    pub is_you: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerOption {
    pub id: PartnerId,
    pub name: String,
}

/// Where a one-time link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    Open,
    Used,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// The one-time link, as a path on this site.
    pub link: Option<String>,
    pub link_state: Option<LinkState>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub email: String,
    pub role: Role,
    /// The one-time link, as a path on this site; also placed in the outbox.
    pub link: String,
    pub expires_at: DateTime<Utc>,
}
