//! Partners: what kind of partner, where they are in their lifecycle, and their program tier.

use super::DomainError;
use super::labels::label_enum;

label_enum! {
    pub enum PartnerType ("partner type") {
        Reseller => "reseller",
        Referral => "referral",
        Technology => "technology",
        Integrator => "integrator",
        Agency => "agency",
        Marketplace => "marketplace",
        Distributor => "distributor",
    }
}

label_enum! {
    /// invited → onboarding → active ⇄ inactive.
    pub enum PartnerStatus ("partner status") {
        Invited => "invited",
        Onboarding => "onboarding",
        Active => "active",
        Inactive => "inactive",
    }
}

label_enum! {
    /// Program tier, lowest first.
    pub enum PartnerTier ("partner tier") {
        Registered => "registered",
        Silver => "silver",
        Gold => "gold",
        Platinum => "platinum",
    }
}

impl PartnerStatus {
    pub fn transition(self, to: PartnerStatus) -> Result<PartnerStatus, DomainError> {
        use PartnerStatus::*;
        match (self, to) {
            (Invited, Onboarding)
            | (Onboarding, Active)
            | (Active, Inactive)
            | (Inactive, Active) => Ok(to),
            // Skipping onboarding is allowed for partners set up by a manager directly.
            (Invited, Active) => Ok(to),
            _ => Err(DomainError::IllegalTransition {
                kind: "partner".into(),
                from: self.to_string(),
                to: to.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_parses_back() {
        for t in PartnerType::ALL {
            assert_eq!(t.as_str().parse::<PartnerType>().unwrap(), *t);
        }
        for s in PartnerStatus::ALL {
            assert_eq!(s.as_str().parse::<PartnerStatus>().unwrap(), *s);
        }
        for t in PartnerTier::ALL {
            assert_eq!(t.as_str().parse::<PartnerTier>().unwrap(), *t);
        }
        assert!("vendor".parse::<PartnerType>().is_err());
    }

    #[test]
    fn tiers_are_ordered_lowest_first() {
        assert!(PartnerTier::Registered < PartnerTier::Silver);
        assert!(PartnerTier::Gold < PartnerTier::Platinum);
    }

    #[test]
    fn lifecycle_moves_forward_and_can_reactivate() {
        use PartnerStatus::*;
        assert_eq!(Invited.transition(Onboarding), Ok(Onboarding));
        assert_eq!(Onboarding.transition(Active), Ok(Active));
        assert_eq!(Active.transition(Inactive), Ok(Inactive));
        assert_eq!(Inactive.transition(Active), Ok(Active));
        assert!(Active.transition(Invited).is_err());
        assert!(Inactive.transition(Onboarding).is_err());
    }

    #[test]
    fn titles_read_as_words() {
        assert_eq!(PartnerType::Marketplace.title(), "Marketplace");
        assert_eq!(PartnerTier::Platinum.title(), "Platinum");
    }
}
