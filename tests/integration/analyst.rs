//! The analyst command: CSV in, CSV out, malformed rows reported, nothing half-written.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use backend::analyst::{self, AnalystError, Request};
use partner_attribution::domain::attribution::{AttributionModel, ModelSettings};
use rust_decimal::Decimal;

const DEALS: &str = "deal_id,amount,currency,closed_at,status
D-1,1000.00,USD,2026-03-31,won
D-2,99.99,EUR,2026-04-15T12:00:00Z,won
D-3,5000,USD,2026-04-20,lost
D-4,120000,JPY,2026-05-01 09:00:00,won
";

const TOUCHES: &str = "deal_id,partner_id,kind,occurred_at
D-1,acme,referral,2026-01-10
D-1,globex,demo,2026-02-01
D-1,acme,negotiation,2026-03-20
D-2,globex,deal_registration,2026-03-01
D-2,initech,co_sell,2026-04-01T10:00:00Z
D-2,initech,proposal,2026-05-01
D-3,acme,referral,2026-02-01
D-4,initech,marketplace_listing,2026-04-01
";

fn write(dir: &Path, deals: &str, touches: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let (d, t) = (dir.join("deals.csv"), dir.join("touchpoints.csv"));
    std::fs::write(&d, deals).unwrap();
    std::fs::write(&t, touches).unwrap();
    (d, t)
}

fn request(dir: &Path, models: Vec<AttributionModel>, skip_invalid: bool) -> Request {
    Request {
        models,
        settings: ModelSettings::default(),
        deals: dir.join("deals.csv"),
        touchpoints: dir.join("touchpoints.csv"),
        out: dir.join("splits.csv"),
        skip_invalid,
    }
}

fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(String::from)
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
fn splits_add_up_to_each_won_deal_in_its_currency() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), DEALS, TOUCHES);
    let report = analyst::run(&request(
        dir.path(),
        AttributionModel::RULE_BASED.to_vec(),
        false,
    ))
    .unwrap();
    assert_eq!((report.won, report.lost, report.touchpoints), (3, 1, 8));
    assert_eq!(
        report.ignored_touches, 1,
        "D-2's proposal is after its close"
    );
    let rows = rows(&dir.path().join("splits.csv"));
    for model in AttributionModel::RULE_BASED {
        for (deal, amount, currency) in [
            ("D-1", "1000.00", "USD"),
            ("D-2", "99.99", "EUR"),
            ("D-4", "120000", "JPY"),
        ] {
            let splits: Vec<_> = rows
                .iter()
                .filter(|r| r["model"] == model.as_str() && r["deal_id"] == deal)
                .collect();
            assert!(!splits.is_empty(), "{model} {deal}");
            let sum: Decimal = splits
                .iter()
                .map(|r| r["amount"].parse::<Decimal>().unwrap())
                .sum();
            assert_eq!(sum, amount.parse::<Decimal>().unwrap(), "{model} {deal}");
            assert!(
                splits
                    .iter()
                    .all(|r| r["currency"] == currency && !r["explanation"].is_empty())
            );
        }
    }
    assert!(
        rows.iter().all(|r| r["deal_id"] != "D-3"),
        "lost deals are not attributed"
    );
    let d1: Vec<_> = rows
        .iter()
        .filter(|r| r["model"] == "equal_split" && r["deal_id"] == "D-1")
        .collect();
    assert_eq!(d1.len(), 2);
    assert_eq!(
        (d1[0]["partner_id"].as_str(), d1[0]["amount"].as_str()),
        ("acme", "666.67")
    );
    assert_eq!(
        (d1[1]["partner_id"].as_str(), d1[1]["amount"].as_str()),
        ("globex", "333.33")
    );
}

#[test]
fn row_order_does_not_change_a_byte() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write(a.path(), DEALS, TOUCHES);
    let reverse = |text: &str| {
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1..].reverse();
        lines.join("\n") + "\n"
    };
    write(b.path(), &reverse(DEALS), &reverse(TOUCHES));
    let all = AttributionModel::ALL.to_vec();
    analyst::run(&request(a.path(), all.clone(), false)).unwrap();
    analyst::run(&request(b.path(), all, false)).unwrap();
    assert_eq!(
        std::fs::read(a.path().join("splits.csv")).unwrap(),
        std::fs::read(b.path().join("splits.csv")).unwrap()
    );
}

#[test]
fn every_malformed_row_is_reported_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let deals = format!(
        "{DEALS}D-5,12.345,USD,2026-05-01,won\nD-6,10,USD,yesterday,won\nD-1,5,USD,2026-05-01,won\nD-7,10,USD,2026-05-01,pending\n"
    );
    let touches = format!("{TOUCHES}D-9,acme,demo,2026-01-01\nD-1,acme,lunch,2026-01-01\n");
    write(dir.path(), &deals, &touches);
    let err = analyst::run(&request(
        dir.path(),
        vec![AttributionModel::EqualSplit],
        false,
    ))
    .unwrap_err();
    let AnalystError::Invalid(errors) = &err else {
        panic!("{err}")
    };
    let found: Vec<(&str, u64)> = errors.iter().map(|e| (e.file, e.line)).collect();
    assert_eq!(
        found,
        vec![
            ("deals.csv", 6),
            ("deals.csv", 7),
            ("deals.csv", 8),
            ("deals.csv", 9),
            ("touchpoints.csv", 10),
            ("touchpoints.csv", 11)
        ]
    );
    let message = err.to_string();
    for expected in [
        "more decimal places",
        "not a time",
        "repeats line 2",
        "expected won or lost",
        "not in deals.csv",
        "unknown touchpoint kind",
    ] {
        assert!(
            message.contains(expected),
            "{expected} missing from {message}"
        );
    }
    assert!(!dir.path().join("splits.csv").exists());

    let report = analyst::run(&request(
        dir.path(),
        vec![AttributionModel::EqualSplit],
        true,
    ))
    .unwrap();
    assert_eq!(report.skipped_rows.len(), 6);
    assert_eq!(report.won, 3);
    assert!(dir.path().join("splits.csv").exists());
}

#[test]
fn missing_columns_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "deal_id,amount,closed_at,status\nD-1,1,2026-01-01,won\n",
        TOUCHES,
    );
    let err = analyst::run(&request(
        dir.path(),
        vec![AttributionModel::EqualSplit],
        false,
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains("missing column \"currency\""),
        "{err}"
    );
}

#[test]
fn the_binary_runs_and_refuses_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let (deals, touches) = write(dir.path(), DEALS, TOUCHES);
    let out = dir.path().join("splits.csv");
    let run = |model: &str, params: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_partner-attribution"));
        command
            .args(["attribute", "--model", model, "--deals"])
            .arg(&deals)
            .arg("--touchpoints")
            .arg(&touches)
            .arg("--out")
            .arg(&out);
        for p in params {
            command.args(["--param", p]);
        }
        command.output().unwrap()
    };
    let ok = run("time_decay", &["half_life_days=7"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stderr).contains("deals/s"));
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("half-life 7 days")
    );

    let bad_model = run("linear", &[]);
    assert!(!bad_model.status.success());
    assert!(
        String::from_utf8_lossy(&bad_model.stderr).contains("unknown attribution model \"linear\"")
    );
    let bad_param = run("time_decay", &["half_life_days=-1"]);
    assert!(!bad_param.status.success());
    assert!(String::from_utf8_lossy(&bad_param.stderr).contains("half-life"));
}

#[test]
fn quoted_line_breaks_survive_the_two_core_read() {
    let deals = "deal_id,amount,currency,closed_at,status\nD-1,100,USD,2026-03-31,won\n";
    let mut touches = String::from("deal_id,partner_id,kind,occurred_at\n");
    for i in 0..101 {
        touches += &format!("D-1,\"acme\nwest {}\",demo,2026-01-01\n", i % 3);
    }
    touches += "D-1,acme,lunch,2026-01-01\n";
    let input = analyst::read(deals.as_bytes(), touches.as_bytes());
    assert_eq!(input.touchpoints, 101);
    assert_eq!(
        input.partner_names,
        vec!["acme\nwest 0", "acme\nwest 1", "acme\nwest 2"]
    );
    // Each quoted row spans two lines: the bad row is on line 1 + 2 × 101 + 1.
    let lines: Vec<u64> = input.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![204]);
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Files of any bytes — the right header with garbage rows, or garbage throughout —
        /// are read into rows and errors without panicking, and every row is accounted for.
        #[test]
        fn any_files_are_read_without_panicking(
            deals in prop::collection::vec(any::<u8>(), 0..400),
            touches in prop::collection::vec(any::<u8>(), 0..400),
            rows in prop::collection::vec("[A-Za-z0-9 ,.:\"\\-\n]{0,40}", 0..8),
        ) {
            let _ = analyst::read(deals.as_slice(), touches.as_slice());
            let text = format!("{}{}", DEALS, rows.join("\n"));
            let input = analyst::read(text.as_bytes(), TOUCHES.as_bytes());
            prop_assert!(input.won.len() <= 3 + rows.len());
        }
    }
}
