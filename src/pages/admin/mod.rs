//! Administration: users, invitations, the outbox, API keys, webhooks, CRM integrations.

pub mod api_keys;
pub mod integrations;
pub mod outbox;
pub mod users;
pub mod webhooks;
