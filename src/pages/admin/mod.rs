//! Administration: users, invitations, the outbox, API keys, webhooks.

pub mod api_keys;
pub mod outbox;
pub mod users;
pub mod webhooks;
