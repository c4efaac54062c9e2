//! Administration: users, invitations, the outbox, API keys.

pub mod api_keys;
pub mod outbox;
pub mod users;
