//! People who sign in, and what they may do.

use super::labels::label_enum;

label_enum! {
    pub enum Role ("role") {
        /// Everything, including organization settings and users.
        Admin => "admin",
        /// Partners, deals, touchpoints and attribution.
        PartnerManager => "partner_manager",
        /// Commission rules, payout approval and payment.
        Finance => "finance",
        /// Read-only revenue reports.
        Executive => "executive",
        /// A partner's own people: the self-service portal, their own data only.
        Partner => "partner",
    }
}

impl Role {
    /// Staff of the organization, as opposed to partner users.
    pub fn is_staff(self) -> bool {
        self != Role::Partner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_partner_users_are_not_staff() {
        assert!(
            Role::ALL
                .iter()
                .filter(|r| !r.is_staff())
                .eq([&Role::Partner])
        );
        assert_eq!("partner_manager".parse(), Ok(Role::PartnerManager));
        assert!("root".parse::<Role>().is_err());
    }
}
