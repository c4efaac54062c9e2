//! CSV import: what each kind of import fills in, how a file's columns are matched to those fields,
//! and a file row turned into the same forms the app's pages submit (so the same rules apply).
//! Reading the file and writing the records live on the server (`server::imports`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::deal::DealForm;
use super::labels::label_enum;
use super::partner::PartnerForm;

label_enum! {
    /// What a file holds.
    pub enum ImportKind ("import kind") {
        Partners => "partners",
        Deals => "deals",
        Touchpoints => "touchpoints",
    }
}

label_enum! {
    /// What happens to a file with bad rows.
    pub enum ImportMode ("import mode") {
        /// Good rows are imported, bad rows are listed and skipped.
        ValidOnly => "valid_only",
        /// One bad row and nothing is imported.
        AllOrNothing => "all_or_nothing",
    }
}

label_enum! {
    /// Where an import stands. Queued → running → done | failed; a queued or running import can be
    /// cancelled.
    pub enum ImportStatus ("import status") {
        Queued => "queued",
        Running => "running",
        Done => "done",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

impl ImportStatus {
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            ImportStatus::Done | ImportStatus::Failed | ImportStatus::Cancelled
        )
    }
}

/// A field an import fills in, with the column names that usually hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub field: &'static str,
    pub label: &'static str,
    pub required: bool,
    /// Header spellings recognised without a saved mapping (compared without case, spaces or
    /// punctuation).
    pub aliases: &'static [&'static str],
}

const fn target(
    field: &'static str,
    label: &'static str,
    required: bool,
    aliases: &'static [&'static str],
) -> Target {
    Target {
        field,
        label,
        required,
        aliases,
    }
}

const EXTERNAL_ID: Target = target(
    "external_id",
    "External id",
    false,
    &["id", "partner id", "crm id", "record id", "external id"],
);

pub const PARTNERS: &[Target] = &[
    EXTERNAL_ID,
    target(
        "name",
        "Name",
        true,
        &["partner", "partner name", "company", "company name"],
    ),
    target(
        "partner_type",
        "Type",
        true,
        &["type", "partner type", "category"],
    ),
    target("tier", "Tier", true, &["level", "partner tier"]),
    target(
        "commission_rate",
        "Commission rate (%)",
        true,
        &["commission", "rate", "commission %", "commission percent"],
    ),
    target(
        "contact_name",
        "Contact name",
        false,
        &["contact", "primary contact"],
    ),
    target(
        "contact_email",
        "Contact email",
        false,
        &["email", "e-mail", "contact e-mail"],
    ),
    target("website", "Website", false, &["url", "web", "domain"]),
    target("region", "Region", false, &["country", "territory", "geo"]),
    target(
        "payout_currency",
        "Payout currency",
        false,
        &["currency", "paid in", "payout ccy"],
    ),
];

pub const DEALS: &[Target] = &[
    target(
        "external_id",
        "External id",
        false,
        &["id", "deal id", "opportunity id", "crm id", "record id"],
    ),
    target(
        "name",
        "Deal name",
        true,
        &["deal", "name", "opportunity", "opportunity name", "title"],
    ),
    target(
        "account_name",
        "Account",
        true,
        &["account", "company", "customer", "account name"],
    ),
    target(
        "amount",
        "Amount",
        true,
        &["value", "deal value", "revenue", "deal amount"],
    ),
    target("currency", "Currency", true, &["ccy", "currency code"]),
    target(
        "expected_close_on",
        "Expected close date",
        false,
        &["close date", "expected close", "closing date"],
    ),
    target(
        "stage",
        "Stage (open, won, lost)",
        false,
        &["status", "deal stage", "outcome"],
    ),
    target(
        "lost_reason",
        "Lost reason",
        false,
        &["reason", "loss reason", "closed lost reason"],
    ),
];

pub const TOUCHPOINTS: &[Target] = &[
    target(
        "external_id",
        "External id",
        false,
        &[
            "id",
            "touch id",
            "touchpoint id",
            "activity id",
            "record id",
        ],
    ),
    target(
        "deal",
        "Deal (external id)",
        true,
        &[
            "deal id",
            "deal external id",
            "opportunity id",
            "opportunity",
        ],
    ),
    target(
        "partner",
        "Partner (external id or name)",
        true,
        &["partner id", "partner external id", "partner name"],
    ),
    target(
        "kind",
        "Kind",
        true,
        &[
            "type",
            "touch type",
            "touchpoint type",
            "activity",
            "activity type",
        ],
    ),
    target(
        "occurred_on",
        "Date",
        true,
        &[
            "occurred",
            "occurred at",
            "touch date",
            "activity date",
            "date",
        ],
    ),
    target("note", "Note", false, &["notes", "comment", "description"]),
];

impl ImportKind {
    pub fn targets(self) -> &'static [Target] {
        match self {
            ImportKind::Partners => PARTNERS,
            ImportKind::Deals => DEALS,
            ImportKind::Touchpoints => TOUCHPOINTS,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            ImportKind::Partners => {
                "Partners, matched by external id: a known id updates that partner."
            }
            ImportKind::Deals => {
                "Deals, matched by external id; a stage of won or lost closes the deal (won deals are attributed and earn commission)."
            }
            ImportKind::Touchpoints => {
                "Partner touches on deals: each row names its deal by external id and its partner by external id or name."
            }
        }
    }
}

/// Which column (by its header) feeds each field. Fields without a column stay empty.
pub type ColumnMapping = BTreeMap<String, String>;

/// Lower case, letters and digits only: `Deal ID`, `deal_id` and `deal-id` compare equal.
fn squash(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A mapping for `headers`: a remembered choice first (when its column is still in the file),
/// then a header named like the field, its label or one of its aliases. Each column feeds at
/// most one field.
pub fn guess_mapping(
    kind: ImportKind,
    headers: &[String],
    remembered: &ColumnMapping,
) -> ColumnMapping {
    let mut mapping = ColumnMapping::new();
    let mut taken = vec![false; headers.len()];
    let mut claim = |mapping: &mut ColumnMapping, field: &str, index: usize| {
        taken[index] = true;
        mapping.insert(field.to_owned(), headers[index].clone());
    };
    for target in kind.targets() {
        if let Some(header) = remembered.get(target.field)
            && let Some(index) = headers.iter().position(|h| h == header)
        {
            claim(&mut mapping, target.field, index);
        }
    }
    let squashed: Vec<String> = headers.iter().map(|h| squash(h)).collect();
    for target in kind.targets() {
        if mapping.contains_key(target.field) {
            continue;
        }
        let names = [target.field, target.label]
            .into_iter()
            .chain(target.aliases.iter().copied())
            .map(squash)
            .collect::<Vec<_>>();
        let found = names
            .iter()
            .find_map(|name| (0..headers.len()).find(|&i| !taken[i] && squashed[i] == *name));
        if let Some(index) = found {
            taken[index] = true;
            mapping.insert(target.field.to_owned(), headers[index].clone());
        }
    }
    mapping
}

/// Fields a mapping must give but does not, or names a column the file lacks; with the fields it
/// names that the kind does not have.
pub fn check_mapping(
    kind: ImportKind,
    headers: &[String],
    mapping: &ColumnMapping,
) -> Result<(), Vec<(String, String)>> {
    let mut errors = Vec::new();
    for (field, header) in mapping {
        if !kind.targets().iter().any(|t| t.field == field) {
            errors.push((field.clone(), format!("{kind} have no field \"{field}\".")));
        } else if !headers.contains(header) {
            errors.push((
                field.clone(),
                format!("The file has no column \"{header}\"."),
            ));
        }
    }
    for target in kind.targets() {
        if target.required && !mapping.contains_key(target.field) {
            errors.push((
                target.field.to_owned(),
                format!(
                    "Choose the column that holds {}.",
                    target.label.to_lowercase()
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// One file row, by field: what `mapping` picks out of `record` (cells trimmed).
pub fn fields_of<'a>(
    headers: &[String],
    mapping: &ColumnMapping,
    record: &'a [String],
) -> BTreeMap<String, &'a str> {
    mapping
        .iter()
        .filter_map(|(field, header)| {
            let index = headers.iter().position(|h| h == header)?;
            Some((field.clone(), record.get(index).map_or("", |v| v.trim())))
        })
        .collect()
}

/// A bad cell (or a bad row, when `field` is empty), by its line in the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl RowError {
    pub fn new(line: u64, field: &str, message: impl Into<String>) -> RowError {
        RowError {
            line,
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

fn cell(fields: &BTreeMap<String, &str>, field: &str) -> String {
    fields.get(field).copied().unwrap_or("").to_owned()
}

fn external_id(fields: &BTreeMap<String, &str>) -> Option<String> {
    Some(cell(fields, "external_id")).filter(|id| !id.is_empty())
}

/// A partner row: the partner page's form, plus the id it is matched by.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerRow {
    pub external_id: Option<String>,
    pub form: PartnerForm,
}

/// What a deal row asks for beyond the form: its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStage {
    Open,
    Won,
    Lost,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DealRow {
    pub external_id: Option<String>,
    pub form: DealForm,
    pub stage: RowStage,
    pub lost_reason: Option<String>,
}

/// A touch row, with its deal and partner still named as the file names them (the server finds
/// them).
#[derive(Debug, Clone, PartialEq)]
pub struct TouchpointRow {
    pub external_id: Option<String>,
    pub deal: String,
    pub partner: String,
    pub kind: String,
    pub occurred_on: String,
    pub note: String,
}

/// Kinds, types and tiers spelled as people write them ("Co-Sell", "Deal registration", "Gold")
/// become the labels the forms parse ("co_sell", "deal_registration", "gold").
fn label_like(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

pub fn partner_row(fields: &BTreeMap<String, &str>) -> PartnerRow {
    PartnerRow {
        external_id: external_id(fields),
        form: PartnerForm {
            name: cell(fields, "name"),
            partner_type: label_like(&cell(fields, "partner_type")),
            tier: label_like(&cell(fields, "tier")),
            commission_rate: cell(fields, "commission_rate")
                .trim_end_matches('%')
                .to_owned(),
            contact_name: cell(fields, "contact_name"),
            contact_email: cell(fields, "contact_email"),
            website: cell(fields, "website"),
            region: cell(fields, "region"),
            payout_currency: cell(fields, "payout_currency").to_uppercase(),
        },
    }
}

fn deal_form(fields: &BTreeMap<String, &str>) -> DealForm {
    DealForm {
        name: cell(fields, "name"),
        account_name: cell(fields, "account_name"),
        amount: cell(fields, "amount"),
        currency: cell(fields, "currency"),
        expected_close_on: cell(fields, "expected_close_on"),
    }
}

/// What is wrong with a row that can be told without the database: the rules of the form it
/// becomes (a touch's deal and partner are looked up by the server).
pub fn cell_errors(
    kind: ImportKind,
    fields: &BTreeMap<String, &str>,
    today: chrono::NaiveDate,
) -> Vec<(&'static str, String)> {
    match kind {
        ImportKind::Partners => partner_row(fields)
            .form
            .validate()
            .err()
            .unwrap_or_default(),
        ImportKind::Deals => {
            let mut errors = deal_row(fields).err().into_iter().collect::<Vec<_>>();
            errors.extend(deal_form(fields).validate().err().unwrap_or_default());
            errors
        }
        ImportKind::Touchpoints => {
            let row = touchpoint_row(fields);
            let mut errors = Vec::new();
            if row.deal.is_empty() {
                errors.push(("deal", "Give the deal's external id.".to_owned()));
            }
            if row.partner.is_empty() {
                errors.push((
                    "partner",
                    "Give the partner's external id or name.".to_owned(),
                ));
            }
            // The form's own rules for kind, date and note; the partner is found later.
            let form = super::touchpoint::TouchpointForm {
                partner_id: "1".into(),
                kind: row.kind,
                occurred_on: row.occurred_on,
                note: row.note,
            };
            errors.extend(
                form.validate(today)
                    .err()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(field, _)| *field != "partner_id"),
            );
            errors
        }
    }
}

/// A deal row; the stage accepts the words CRMs use ("Closed Won", "closed-lost").
pub fn deal_row(fields: &BTreeMap<String, &str>) -> Result<DealRow, (&'static str, String)> {
    let stage = match squash(&cell(fields, "stage")).as_str() {
        "" | "open" | "pipeline" | "inprogress" => RowStage::Open,
        "won" | "closedwon" => RowStage::Won,
        "lost" | "closedlost" => RowStage::Lost,
        _ => {
            return Err((
                "stage",
                format!(
                    "\"{}\" is not a stage: use open, won or lost.",
                    cell(fields, "stage")
                ),
            ));
        }
    };
    let lost_reason = Some(cell(fields, "lost_reason")).filter(|r| !r.is_empty());
    Ok(DealRow {
        external_id: external_id(fields),
        form: deal_form(fields),
        stage,
        lost_reason,
    })
}

pub fn touchpoint_row(fields: &BTreeMap<String, &str>) -> TouchpointRow {
    TouchpointRow {
        external_id: external_id(fields),
        deal: cell(fields, "deal"),
        partner: cell(fields, "partner"),
        kind: label_like(&cell(fields, "kind")),
        occurred_on: cell(fields, "occurred_on"),
        note: cell(fields, "note"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Any cells, of any kind of row, are checked without panicking.
            #[test]
            fn any_row_is_checked_without_panicking(
                kind in prop::sample::select(vec![
                    ImportKind::Partners,
                    ImportKind::Deals,
                    ImportKind::Touchpoints,
                ]),
                cells in prop::collection::btree_map(
                    prop::sample::select(vec![
                        "name", "partner_type", "tier", "commission_rate", "contact_email",
                        "website", "amount", "currency", "expected_close_on", "stage",
                        "lost_reason", "deal", "partner", "kind", "occurred_on", "note",
                        "external_id", "payout_currency",
                    ]).prop_map(str::to_owned),
                    any::<String>(),
                    0..10,
                ),
            ) {
                let fields: BTreeMap<String, &str> =
                    cells.iter().map(|(k, v)| (k.clone(), v.as_str())).collect();
                let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
                let _ = cell_errors(kind, &fields, today);
            }
        }
    }

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn columns_are_matched_by_name_label_or_alias_whatever_the_spelling() {
        let file = headers(&[
            "Partner Name",
            "TYPE",
            "Tier",
            "commission_%",
            "E-mail",
            "Notes",
        ]);
        let mapping = guess_mapping(ImportKind::Partners, &file, &ColumnMapping::new());
        assert_eq!(mapping["name"], "Partner Name");
        assert_eq!(mapping["partner_type"], "TYPE");
        assert_eq!(mapping["tier"], "Tier");
        assert_eq!(mapping["commission_rate"], "commission_%");
        assert_eq!(mapping["contact_email"], "E-mail");
        assert!(!mapping.contains_key("website"));
        assert!(
            !mapping.values().any(|h| h == "Notes"),
            "unknown columns stay unmapped"
        );
    }

    #[test]
    fn a_remembered_choice_wins_and_each_column_feeds_one_field() {
        let file = headers(&["Opportunity ID", "Opportunity", "Company", "Value", "CCY"]);
        let mut remembered = ColumnMapping::new();
        remembered.insert("name".into(), "Company".into());
        remembered.insert("account_name".into(), "Gone column".into());
        let mapping = guess_mapping(ImportKind::Deals, &file, &remembered);
        assert_eq!(mapping["name"], "Company", "the remembered column");
        assert_eq!(mapping["external_id"], "Opportunity ID");
        assert_eq!(mapping["amount"], "Value");
        assert_eq!(mapping["currency"], "CCY");
        assert!(
            !mapping.contains_key("account_name"),
            "Company already feeds the name and the remembered column is gone"
        );
        let errors = check_mapping(ImportKind::Deals, &file, &mapping).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "account_name");
        assert_eq!(errors[0].1, "Choose the column that holds account.");
    }

    #[test]
    fn a_mapping_naming_missing_columns_or_fields_is_refused() {
        let file = headers(&["Deal", "Partner", "Kind", "Date"]);
        let mut mapping = guess_mapping(ImportKind::Touchpoints, &file, &ColumnMapping::new());
        assert_eq!(mapping.len(), 4);
        assert!(check_mapping(ImportKind::Touchpoints, &file, &mapping).is_ok());
        mapping.insert("note".into(), "Comment".into());
        mapping.insert("colour".into(), "Deal".into());
        let errors = check_mapping(ImportKind::Touchpoints, &file, &mapping).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["colour", "note"]);
    }

    #[test]
    fn rows_become_the_forms_of_the_pages() {
        let file = headers(&["ID", "Name", "Type", "Tier", "Rate", "Currency"]);
        let mapping = guess_mapping(ImportKind::Partners, &file, &ColumnMapping::new());
        let record = headers(&[" P-1 ", "Apex", "Technology", "Gold", "12.5%", "eur"]);
        let row = partner_row(&fields_of(&file, &mapping, &record));
        assert_eq!(row.external_id.as_deref(), Some("P-1"));
        assert_eq!(row.form.partner_type, "technology");
        assert_eq!(row.form.tier, "gold");
        assert_eq!(row.form.commission_rate, "12.5");
        assert!(row.form.validate().is_ok(), "{:?}", row.form.validate());

        let short = headers(&["", "Apex"]);
        let row = partner_row(&fields_of(&file, &mapping, &short));
        assert_eq!(row.external_id, None, "an empty id matches nothing");
        let errors = row.form.validate().unwrap_err();
        assert!(errors.iter().any(|(f, _)| *f == "partner_type"));
    }

    #[test]
    fn deal_stages_accept_crm_words_and_refuse_others() {
        let file = headers(&["Name", "Account", "Amount", "Currency", "Stage"]);
        let mapping = guess_mapping(ImportKind::Deals, &file, &ColumnMapping::new());
        let row = |stage: &str| {
            let record = headers(&["Renewal", "Acme", "1200", "USD", stage]);
            deal_row(&fields_of(&file, &mapping, &record))
        };
        assert_eq!(row("Closed Won").unwrap().stage, RowStage::Won);
        assert_eq!(row("closed-lost").unwrap().stage, RowStage::Lost);
        assert_eq!(row("").unwrap().stage, RowStage::Open);
        let (field, message) = row("maybe").unwrap_err();
        assert_eq!(field, "stage");
        assert!(message.contains("\"maybe\""), "{message}");
    }

    #[test]
    fn touch_rows_spell_kinds_as_the_form_expects() {
        let file = headers(&["Deal ID", "Partner", "Activity Type", "Activity Date"]);
        let mapping = guess_mapping(ImportKind::Touchpoints, &file, &ColumnMapping::new());
        let record = headers(&["D-7", "Apex", "Deal Registration", "2026-03-02"]);
        let row = touchpoint_row(&fields_of(&file, &mapping, &record));
        assert_eq!(row.deal, "D-7");
        assert_eq!(row.partner, "Apex");
        assert_eq!(row.kind, "deal_registration");
        assert_eq!(row.occurred_on, "2026-03-02");
        let record = headers(&["D-7", "Apex", "Co-Sell", "2026-03-02"]);
        assert_eq!(
            touchpoint_row(&fields_of(&file, &mapping, &record)).kind,
            "co_sell"
        );
    }

    #[test]
    fn a_row_reports_every_problem_the_form_would() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let file = headers(&["Name", "Account", "Amount", "Currency", "Stage"]);
        let mapping = guess_mapping(ImportKind::Deals, &file, &ColumnMapping::new());
        let record = headers(&["Pilot", "Acme", "lots", "USD", "maybe"]);
        let errors = cell_errors(
            ImportKind::Deals,
            &fields_of(&file, &mapping, &record),
            today,
        );
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["stage", "amount"]);

        let file = headers(&["Deal", "Partner", "Kind", "Date"]);
        let mapping = guess_mapping(ImportKind::Touchpoints, &file, &ColumnMapping::new());
        let record = headers(&["", "Apex", "smoke signal", "2026-07-01"]);
        let errors = cell_errors(
            ImportKind::Touchpoints,
            &fields_of(&file, &mapping, &record),
            today,
        );
        let fields: Vec<&str> = errors.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["deal", "kind", "occurred_on"], "{errors:?}");
        let record = headers(&["D-1", "Apex", "demo", "2026-05-31"]);
        assert!(
            cell_errors(
                ImportKind::Touchpoints,
                &fields_of(&file, &mapping, &record),
                today
            )
            .is_empty()
        );
    }

    #[test]
    fn finished_statuses_are_the_last_three() {
        let finished: Vec<_> = ImportStatus::ALL
            .iter()
            .filter(|s| s.is_finished())
            .collect();
        assert_eq!(
            finished,
            [
                &ImportStatus::Done,
                &ImportStatus::Failed,
                &ImportStatus::Cancelled
            ]
        );
    }
}
