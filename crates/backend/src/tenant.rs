//! The tenant a request acts for. Repositories take a `Tenant` as their first argument and filter
//! every query by it, so an unscoped query cannot be written by accident: the only way to get a
//! `Tenant` is from an authorized caller (or, for system tasks, by naming the organization
//! explicitly with [`Tenant::system`]).

use domain::ids::{OrganizationId, PartnerId};
use wire::auth::SessionUser;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenant {
    organization_id: OrganizationId,
    /// For partner users: the one partner whose rows they may read.
    partner_id: Option<PartnerId>,
}

impl Tenant {
    pub(crate) fn of(user: &SessionUser) -> Tenant {
        Tenant {
            organization_id: user.organization_id,
            partner_id: user.partner_id,
        }
    }

    /// For work no user asked for (demo data, command-line tools, background jobs).
    pub fn system(organization_id: OrganizationId) -> Tenant {
        Tenant {
            organization_id,
            partner_id: None,
        }
    }

    pub fn organization_id(&self) -> OrganizationId {
        self.organization_id
    }

    /// `Some` when the caller is a partner user, restricted to that partner.
    pub fn partner_id(&self) -> Option<PartnerId> {
        self.partner_id
    }
}
