//! Deals and their pipeline stage.

use super::DomainError;
use super::labels::label_enum;

label_enum! {
    /// Where a deal stands. Open deals may be won or lost; a closed deal stays closed.
    pub enum DealStage ("deal stage") {
        Open => "open",
        Won => "won",
        Lost => "lost",
    }
}

impl DealStage {
    pub fn is_closed(self) -> bool {
        self != DealStage::Open
    }

    /// The stage after moving to `to`, or why that move is not allowed.
    pub fn transition(self, to: DealStage) -> Result<DealStage, DomainError> {
        match (self, to) {
            (DealStage::Open, DealStage::Won | DealStage::Lost) => Ok(to),
            _ => Err(DomainError::IllegalTransition {
                kind: "deal".into(),
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
    fn stages_round_trip_through_text_and_json() {
        for stage in DealStage::ALL {
            assert_eq!(stage.as_str().parse::<DealStage>().unwrap(), *stage);
            let json = serde_json::to_string(stage).unwrap();
            assert_eq!(json, format!("\"{}\"", stage.as_str()));
            assert_eq!(serde_json::from_str::<DealStage>(&json).unwrap(), *stage);
        }
    }

    #[test]
    fn unknown_stage_names_the_valid_ones() {
        let err = "closed".parse::<DealStage>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown deal stage \"closed\": expected one of open, won, lost"
        );
        assert!(serde_json::from_str::<DealStage>("\"Won\"").is_err());
    }

    #[test]
    fn only_open_deals_can_close() {
        assert_eq!(
            DealStage::Open.transition(DealStage::Won),
            Ok(DealStage::Won)
        );
        assert_eq!(
            DealStage::Open.transition(DealStage::Lost),
            Ok(DealStage::Lost)
        );
        for from in [DealStage::Won, DealStage::Lost] {
            for to in DealStage::ALL {
                assert!(from.transition(*to).is_err(), "{from} -> {to}");
            }
        }
        assert!(DealStage::Open.transition(DealStage::Open).is_err());
    }
}
