//! Attribution models: how a won deal's amount is credited to the partners who touched it.

use super::labels::label_enum;

label_enum! {
    pub enum AttributionModel ("attribution model") {
        EqualSplit => "equal_split",
        FirstTouch => "first_touch",
        LastTouch => "last_touch",
        TimeDecay => "time_decay",
        RoleBased => "role_based",
        PositionBased => "position_based",
        DataDriven => "data_driven",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_parse_and_reject_unknown_names() {
        for model in AttributionModel::ALL {
            assert_eq!(model.as_str().parse::<AttributionModel>().unwrap(), *model);
        }
        let err = "linear"
            .parse::<AttributionModel>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("equal_split, first_touch"), "{err}");
    }
}
