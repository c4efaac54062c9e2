//! Touchpoints: what a partner did on a deal.

use super::labels::label_enum;

label_enum! {
    pub enum TouchpointKind ("touchpoint kind") {
        Referral => "referral",
        Introduction => "introduction",
        Demo => "demo",
        Proposal => "proposal",
        CoSell => "co_sell",
        Negotiation => "negotiation",
        TechnicalValidation => "technical_validation",
        DealRegistration => "deal_registration",
        MarketplaceListing => "marketplace_listing",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_use_snake_case_labels_and_readable_titles() {
        assert_eq!(TouchpointKind::CoSell.as_str(), "co_sell");
        assert_eq!(
            TouchpointKind::TechnicalValidation.title(),
            "Technical validation"
        );
        assert_eq!(
            "deal_registration".parse(),
            Ok(TouchpointKind::DealRegistration)
        );
        assert!("co-sell".parse::<TouchpointKind>().is_err());
    }
}
