//! Administration: users, invitations and the outbox.

pub mod outbox;
pub mod users;
