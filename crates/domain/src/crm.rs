//! CRM connectors, the part both sides share: the CRMs, a connection's settings as its page edits
//! them, and a CRM deal (once read from HubSpot, Salesforce or Pipedrive) turned into the deal
//! form, stage and partner touches the app's own services take. Talking to the CRMs lives on the
//! server (`server::crm`).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::deal::{DealForm, DealStage};
use super::labels::label_enum;
use super::touchpoint::TouchpointKind;

label_enum! {
    /// The CRMs the app syncs with.
    pub enum CrmKind ("CRM") {
        HubSpot => "hubspot",
        Salesforce => "salesforce",
        Pipedrive => "pipedrive",
    }
}

impl CrmKind {
    /// The product's own spelling.
    pub fn name(self) -> &'static str {
        match self {
            CrmKind::HubSpot => "HubSpot",
            CrmKind::Salesforce => "Salesforce",
            CrmKind::Pipedrive => "Pipedrive",
        }
    }

    /// Where the CRM's API answers; Salesforce has one address per customer (its instance).
    pub fn default_base_url(self) -> &'static str {
        match self {
            CrmKind::HubSpot => "https://api.hubapi.com",
            CrmKind::Salesforce => "",
            CrmKind::Pipedrive => "https://api.pipedrive.com",
        }
    }

    /// What the settings page calls the API credential.
    pub fn token_label(self) -> &'static str {
        match self {
            CrmKind::HubSpot => "Private app access token",
            CrmKind::Salesforce => "Consumer secret or access token",
            CrmKind::Pipedrive => "API token",
        }
    }

    /// What the settings page calls the secret inbound webhooks are checked with; none for
    /// Salesforce, which sends no plain webhooks (scheduled syncs pick its changes up).
    pub fn webhook_secret_label(self) -> Option<&'static str> {
        match self {
            CrmKind::HubSpot => Some("App client secret (webhook signature v3)"),
            CrmKind::Salesforce => None,
            CrmKind::Pipedrive => Some("Webhook basic-auth password"),
        }
    }

    /// A new connection's settings: the CRM's standard names.
    pub fn default_settings(self) -> CrmSettings {
        let rules = |pairs: &[(&str, DealStage)]| {
            pairs
                .iter()
                .map(|(crm_stage, stage)| StageRule {
                    crm_stage: (*crm_stage).to_owned(),
                    stage: *stage,
                })
                .collect()
        };
        let (partner_field, currency_field, stage_rules) = match self {
            CrmKind::HubSpot => (
                "partner_name",
                "deal_currency_code",
                rules(&[
                    ("closedwon", DealStage::Won),
                    ("closedlost", DealStage::Lost),
                ]),
            ),
            // Won and lost come from the opportunity's IsWon / IsClosed.
            CrmKind::Salesforce => (OPPORTUNITY_PARTNER, "", Vec::new()),
            // Won and lost come from the deal's status.
            CrmKind::Pipedrive => ("", "", Vec::new()),
        };
        CrmSettings {
            partner_field: partner_field.to_owned(),
            partner_association: String::new(),
            client_id: String::new(),
            currency_field: currency_field.to_owned(),
            default_currency: "USD".to_owned(),
            stage_rules,
            touch_kind: TouchpointKind::Referral,
            attribution_field: String::new(),
            sourced_field: String::new(),
        }
    }
}

/// The Salesforce partner field that means the standard OpportunityPartner related list.
pub const OPPORTUNITY_PARTNER: &str = "OpportunityPartner";

label_enum! {
    /// What a sync run reads.
    pub enum SyncMode ("sync mode") {
        /// Every deal the CRM has.
        Backfill => "backfill",
        /// Deals changed since the last finished sync.
        Incremental => "incremental",
        /// Deals changed since the last finished sync, because the CRM said something changed.
        Webhook => "webhook",
    }
}

label_enum! {
    /// Where a sync run stands. Queued → running → done | failed; a rate-limited run goes back to
    /// queued until it may go on; a queued or running run can be cancelled.
    pub enum SyncStatus ("sync status") {
        Queued => "queued",
        Running => "running",
        Done => "done",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

impl SyncStatus {
    /// The moves a sync makes (the database refuses the others): queued → running | cancelled;
    /// running → queued (paused by a rate limit) | done | failed | cancelled.
    pub fn can_move_to(self, to: SyncStatus) -> bool {
        use SyncStatus::*;
        matches!(
            (self, to),
            (Queued, Running | Cancelled) | (Running, Queued | Done | Failed | Cancelled)
        )
    }

    pub fn is_finished(self) -> bool {
        matches!(
            self,
            SyncStatus::Done | SyncStatus::Failed | SyncStatus::Cancelled
        )
    }
}

/// A CRM stage (its id or name) and the app stage it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRule {
    pub crm_stage: String,
    pub stage: DealStage,
}

/// What a connection does with the CRM's records, stored with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmSettings {
    /// The deal field naming the partner: a HubSpot deal property, a Salesforce opportunity
    /// field (or `OpportunityPartner`), a Pipedrive custom field key. Several names may be
    /// separated by `;`.
    pub partner_field: String,
    /// HubSpot: the label of the deal-to-company association that marks a company as the deal's
    /// partner (such as "Referral partner"); empty: partners come from `partner_field` only.
    #[serde(default)]
    pub partner_association: String,
    /// Salesforce: the connected app's consumer key. Set, the stored token is the app's
    /// consumer secret and each sync signs in for a fresh access token (OAuth 2.0 client
    /// credentials flow); empty, the stored token is an access token used as it is.
    #[serde(default)]
    pub client_id: String,
    /// The deal field holding its currency; empty: `default_currency`.
    pub currency_field: String,
    pub default_currency: String,
    /// Checked first; a stage no rule names follows the CRM's own won / lost flag, else open.
    pub stage_rules: Vec<StageRule>,
    /// The touch a partner named on a CRM deal is recorded as.
    pub touch_kind: TouchpointKind,
    /// The CRM deal field the attribution result of a won deal is written to; empty: none.
    pub attribution_field: String,
    /// The CRM deal field told whether a partner sourced the deal; empty: none.
    pub sourced_field: String,
}

impl CrmSettings {
    /// The app stage of a CRM deal: the first rule naming its stage, else what the CRM itself
    /// says, else open.
    pub fn stage_of(&self, deal: &CrmDeal) -> DealStage {
        let stage = deal.stage.trim();
        self.stage_rules
            .iter()
            .find(|rule| rule.crm_stage.trim().eq_ignore_ascii_case(stage))
            .map(|rule| rule.stage)
            .or(deal.outcome)
            .unwrap_or(DealStage::Open)
    }

    pub fn writes_back(&self) -> bool {
        !self.attribution_field.trim().is_empty() || !self.sourced_field.trim().is_empty()
    }
}

/// A deal as any CRM has it, once read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CrmDeal {
    pub id: String,
    pub name: String,
    pub account: String,
    /// Decimal text as the CRM gave it; empty when it has none.
    pub amount: String,
    pub currency: String,
    /// The CRM's stage id or name.
    pub stage: String,
    /// Won or lost when the CRM says so itself (Salesforce IsWon / IsClosed, Pipedrive status).
    pub outcome: Option<DealStage>,
    pub created_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub expected_close_on: Option<NaiveDate>,
    pub modified_at: Option<DateTime<Utc>>,
    pub partners: Vec<CrmPartner>,
    pub lost_reason: String,
}

/// A partner as a CRM deal names it: by the CRM's id of the partner account when it has one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CrmPartner {
    pub id: Option<String>,
    pub name: String,
}

/// Partner names in one field, `;` or newline separated (HubSpot's multiple-checkbox format).
pub fn partner_names(value: &str) -> Vec<CrmPartner> {
    value
        .split([';', '\n'])
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| CrmPartner {
            id: None,
            name: name.to_owned(),
        })
        .collect()
}

/// A CRM deal as the app's services take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealChanges {
    pub form: DealForm,
    pub stage: DealStage,
    /// When a closed deal closed (never later than now).
    pub closed_at: Option<DateTime<Utc>>,
    pub lost_reason: Option<String>,
    pub touches: Vec<Touch>,
}

/// A partner's touch on a CRM deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    pub partner: CrmPartner,
    pub occurred_on: NaiveDate,
    /// Stable across syncs, so a second sync finds the touch it made.
    pub external_id: String,
}

/// Turns a CRM deal into the deal the app keeps: account defaults to the deal's name, currency to
/// the connection's, the close time to now when the CRM's is later, and each named partner is
/// a touch dated when the deal was created (not after its close).
pub fn changes(
    kind: CrmKind,
    settings: &CrmSettings,
    deal: &CrmDeal,
    now: DateTime<Utc>,
) -> DealChanges {
    let stage = settings.stage_of(deal);
    let closed_at = stage
        .is_closed()
        .then(|| deal.closed_at.unwrap_or(now).min(now));
    let currency = if deal.currency.trim().is_empty() {
        settings.default_currency.clone()
    } else {
        deal.currency.trim().to_uppercase()
    };
    let account = if deal.account.trim().is_empty() {
        deal.name.trim()
    } else {
        deal.account.trim()
    };
    let touched_at = deal
        .created_at
        .unwrap_or(now)
        .min(closed_at.unwrap_or(now))
        .min(now);
    let lost_reason = (stage == DealStage::Lost).then(|| {
        let reason = deal.lost_reason.trim();
        if reason.is_empty() {
            format!("Lost in {}", kind.name())
        } else {
            reason.to_owned()
        }
    });
    let mut touches: Vec<Touch> = Vec::new();
    for partner in &deal.partners {
        let key = partner
            .id
            .clone()
            .unwrap_or_else(|| partner.name.trim().to_lowercase());
        let external_id = format!("{}:{}:{}", kind.as_str(), deal.id, key);
        if touches.iter().all(|t| t.external_id != external_id) {
            touches.push(Touch {
                partner: partner.clone(),
                occurred_on: touched_at.date_naive(),
                external_id,
            });
        }
    }
    DealChanges {
        form: DealForm {
            name: deal.name.trim().to_owned(),
            account_name: account.to_owned(),
            amount: deal.amount.trim().to_owned(),
            currency,
            expected_close_on: deal
                .expected_close_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        },
        stage,
        closed_at,
        lost_reason,
        touches,
    }
}

/// A date a CRM gives without a time (Salesforce CloseDate), as the start of that day in UTC.
pub fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// What is written back to a won deal in the CRM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteBack {
    /// Field → value.
    pub fields: Vec<(String, String)>,
}

/// The write-back of a won deal: the partners' shares ("Apex Cloud 60%; Northstar 40%") under
/// the payable model, and whether a partner sourced the deal.
pub fn write_back(
    settings: &CrmSettings,
    shares: &[(String, rust_decimal::Decimal)],
    partner_sourced: bool,
) -> WriteBack {
    let mut fields = Vec::new();
    let attribution = settings.attribution_field.trim();
    if !attribution.is_empty() {
        let text = shares
            .iter()
            .map(|(name, share)| {
                let percent = (*share * rust_decimal::Decimal::ONE_HUNDRED).round_dp(1);
                format!("{name} {}%", percent.normalize())
            })
            .collect::<Vec<_>>()
            .join("; ");
        fields.push((attribution.to_owned(), text));
    }
    let sourced = settings.sourced_field.trim();
    if !sourced.is_empty() {
        fields.push((sourced.to_owned(), partner_sourced.to_string()));
    }
    WriteBack { fields }
}

/// The connection settings as the page edits them: text as typed, checked on save. Fields left
/// out are empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectionForm {
    pub base_url: String,
    /// Empty keeps the stored token.
    pub token: String,
    /// Empty keeps the stored secret.
    pub webhook_secret: String,
    pub enabled: bool,
    pub partner_field: String,
    pub partner_association: String,
    pub client_id: String,
    pub currency_field: String,
    pub default_currency: String,
    /// One rule a line: `CRM stage = open | won | lost`.
    pub stage_rules: String,
    pub touch_kind: String,
    pub attribution_field: String,
    pub sourced_field: String,
}

/// A checked connection form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionDraft {
    pub base_url: String,
    pub token: Option<String>,
    pub webhook_secret: Option<String>,
    pub enabled: bool,
    pub settings: CrmSettings,
}

/// The rules as the form shows them, one a line.
pub fn rules_text(rules: &[StageRule]) -> String {
    rules
        .iter()
        .map(|r| format!("{} = {}", r.crm_stage, r.stage))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_rules(text: &str) -> Result<Vec<StageRule>, String> {
    let mut rules = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((crm_stage, stage)) = line.rsplit_once('=') else {
            return Err(format!(
                "Line {}: write a rule as \"CRM stage = won\" (or open, lost).",
                n + 1
            ));
        };
        let crm_stage = crm_stage.trim();
        if crm_stage.is_empty() {
            return Err(format!("Line {}: name the CRM stage before \"=\".", n + 1));
        }
        let stage = stage
            .trim()
            .to_lowercase()
            .parse::<DealStage>()
            .map_err(|_| {
                format!(
                    "Line {}: \"{}\" is not a stage; use open, won or lost.",
                    n + 1,
                    stage.trim()
                )
            })?;
        rules.push(StageRule {
            crm_stage: crm_stage.to_owned(),
            stage,
        });
    }
    Ok(rules)
}

/// A field name the CRM's API takes: letters, digits, `_`, `.` (Salesforce relationship paths)
/// and `-`; empty allowed.
fn field_name(
    field: &'static str,
    value: &str,
    errors: &mut Vec<(&'static str, String)>,
) -> String {
    let value = value.trim();
    if value.len() > 100
        || !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        errors.push((
            field,
            format!("\"{value}\" is not a field name (letters, digits, _ . - only)."),
        ));
    }
    value.to_owned()
}

impl ConnectionForm {
    /// The form of a stored connection (secrets are never shown).
    pub fn of(base_url: &str, enabled: bool, settings: &CrmSettings) -> ConnectionForm {
        ConnectionForm {
            base_url: base_url.to_owned(),
            token: String::new(),
            webhook_secret: String::new(),
            enabled,
            partner_field: settings.partner_field.clone(),
            partner_association: settings.partner_association.clone(),
            client_id: settings.client_id.clone(),
            currency_field: settings.currency_field.clone(),
            default_currency: settings.default_currency.clone(),
            stage_rules: rules_text(&settings.stage_rules),
            touch_kind: settings.touch_kind.as_str().to_owned(),
            attribution_field: settings.attribution_field.clone(),
            sourced_field: settings.sourced_field.clone(),
        }
    }

    /// Checks every field; `has_token` says whether a token is stored already (an enabled
    /// connection needs one).
    pub fn validate(
        &self,
        has_token: bool,
        targets: super::webhook::Targets,
    ) -> Result<ConnectionDraft, Vec<(&'static str, String)>> {
        let mut errors = Vec::new();
        let base_url = self.base_url.trim().trim_end_matches('/').to_owned();
        if base_url.is_empty() {
            errors.push(("base_url", "Enter the address of the CRM's API.".into()));
        } else if let Some(problem) = super::webhook::target_problem(&base_url, targets) {
            errors.push(("base_url", problem));
        }
        let token = Some(self.token.trim().to_owned()).filter(|t| !t.is_empty());
        if self.enabled && token.is_none() && !has_token {
            errors.push((
                "token",
                "Enter the token the app signs in to the CRM with.".into(),
            ));
        }
        let webhook_secret = Some(self.webhook_secret.trim().to_owned()).filter(|t| !t.is_empty());
        let partner_field = field_name("partner_field", &self.partner_field, &mut errors);
        let partner_association = self.partner_association.trim().to_owned();
        if partner_association.chars().count() > 100
            || partner_association.chars().any(char::is_control)
        {
            errors.push((
                "partner_association",
                "An association label is one line of at most 100 characters.".into(),
            ));
        }
        let client_id = self.client_id.trim().to_owned();
        if client_id.len() > 255 || !client_id.chars().all(|c| c.is_ascii_graphic()) {
            errors.push((
                "client_id",
                "A consumer key is letters, digits and punctuation, without spaces.".into(),
            ));
        }
        let currency_field = field_name("currency_field", &self.currency_field, &mut errors);
        let attribution_field =
            field_name("attribution_field", &self.attribution_field, &mut errors);
        let sourced_field = field_name("sourced_field", &self.sourced_field, &mut errors);
        let default_currency = self.default_currency.trim().to_uppercase();
        if default_currency.parse::<super::money::Currency>().is_err() {
            errors.push((
                "default_currency",
                format!(
                    "\"{}\" is not a currency code (such as USD).",
                    self.default_currency.trim()
                ),
            ));
        }
        let stage_rules = parse_rules(&self.stage_rules)
            .map_err(|m| errors.push(("stage_rules", m)))
            .unwrap_or_default();
        let touch_kind = self
            .touch_kind
            .trim()
            .parse::<TouchpointKind>()
            .map_err(|e| errors.push(("touch_kind", e.to_string())))
            .unwrap_or(TouchpointKind::Referral);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ConnectionDraft {
            base_url,
            token,
            webhook_secret,
            enabled: self.enabled,
            settings: CrmSettings {
                partner_field,
                partner_association,
                client_id,
                currency_field,
                default_currency,
                stage_rules,
                touch_kind,
                attribution_field,
                sourced_field,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::Targets;
    use rust_decimal::dec;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn hubspot_deal() -> CrmDeal {
        CrmDeal {
            id: "9001".into(),
            name: "Globex renewal".into(),
            amount: "48000.50".into(),
            stage: "closedwon".into(),
            created_at: Some(at("2026-03-01T10:00:00Z")),
            closed_at: Some(at("2026-04-15T12:00:00Z")),
            partners: partner_names("Apex Cloud; Northstar ;"),
            ..CrmDeal::default()
        }
    }

    #[test]
    fn rules_come_first_then_the_crms_own_outcome_then_open() {
        let settings = CrmKind::HubSpot.default_settings();
        let mut deal = hubspot_deal();
        assert_eq!(settings.stage_of(&deal), DealStage::Won);
        deal.stage = "ClosedLost".into();
        assert_eq!(settings.stage_of(&deal), DealStage::Lost, "without case");
        deal.stage = "contractsent".into();
        assert_eq!(settings.stage_of(&deal), DealStage::Open);
        deal.outcome = Some(DealStage::Won);
        assert_eq!(settings.stage_of(&deal), DealStage::Won);
    }

    #[test]
    fn a_won_deal_becomes_a_form_a_close_and_one_touch_per_partner() {
        let settings = CrmKind::HubSpot.default_settings();
        let now = at("2026-11-27T00:00:00Z");
        let changes = changes(CrmKind::HubSpot, &settings, &hubspot_deal(), now);
        assert_eq!(
            changes.form.account_name, "Globex renewal",
            "no account: the name"
        );
        assert_eq!(changes.form.currency, "USD");
        assert!(changes.form.validate().is_ok());
        assert_eq!(changes.stage, DealStage::Won);
        assert_eq!(changes.closed_at, Some(at("2026-04-15T12:00:00Z")));
        let touches: Vec<(&str, &str)> = changes
            .touches
            .iter()
            .map(|t| (t.partner.name.as_str(), t.external_id.as_str()))
            .collect();
        assert_eq!(
            touches,
            [
                ("Apex Cloud", "hubspot:9001:apex cloud"),
                ("Northstar", "hubspot:9001:northstar")
            ]
        );
        assert_eq!(changes.touches[0].occurred_on.to_string(), "2026-03-01");
    }

    #[test]
    fn nothing_is_dated_in_the_future_or_touched_after_the_close() {
        let settings = CrmKind::HubSpot.default_settings();
        let now = at("2026-04-01T00:00:00Z");
        let mut deal = hubspot_deal();
        deal.created_at = Some(at("2026-05-01T00:00:00Z"));
        let changes = changes(CrmKind::HubSpot, &settings, &deal, now);
        assert_eq!(
            changes.closed_at,
            Some(now),
            "a close later than now is now"
        );
        assert_eq!(changes.touches[0].occurred_on.to_string(), "2026-04-01");
    }

    #[test]
    fn a_lost_deal_has_a_reason() {
        let settings = CrmKind::Salesforce.default_settings();
        let deal = CrmDeal {
            outcome: Some(DealStage::Lost),
            ..hubspot_deal()
        };
        let now = at("2026-11-27T00:00:00Z");
        let lost = changes(CrmKind::Salesforce, &settings, &deal, now);
        assert_eq!(lost.lost_reason.as_deref(), Some("Lost in Salesforce"));
    }

    #[test]
    fn the_form_checks_every_field_and_keeps_stored_secrets() {
        let mut form = ConnectionForm::of(
            "https://api.hubapi.com/",
            true,
            &CrmKind::HubSpot.default_settings(),
        );
        let draft = form.validate(true, Targets::PublicHttpsOnly).unwrap();
        assert_eq!(draft.base_url, "https://api.hubapi.com");
        assert_eq!(draft.token, None, "empty keeps the stored token");
        assert_eq!(draft.settings, CrmKind::HubSpot.default_settings());
        let errors = form.validate(false, Targets::PublicHttpsOnly).unwrap_err();
        assert_eq!(errors[0].0, "token", "enabled without any token");

        form.base_url = "ftp://x".into();
        form.stage_rules = "closedwon = won\nappointmentscheduled = maybe".into();
        form.partner_field = "partner name".into();
        form.partner_association = "Referral\npartner".into();
        form.client_id = "3MVG9 key".into();
        form.default_currency = "dollars".into();
        let fields: Vec<&str> = form
            .validate(true, Targets::PublicHttpsOnly)
            .unwrap_err()
            .iter()
            .map(|e| e.0)
            .collect();
        assert_eq!(
            fields,
            [
                "base_url",
                "partner_field",
                "partner_association",
                "client_id",
                "default_currency",
                "stage_rules"
            ]
        );
    }

    #[test]
    fn settings_stored_before_newer_fields_still_read() {
        let mut stored = serde_json::to_value(CrmKind::HubSpot.default_settings()).unwrap();
        stored
            .as_object_mut()
            .unwrap()
            .remove("partner_association");
        let settings: CrmSettings = serde_json::from_value(stored).unwrap();
        assert_eq!(settings, CrmKind::HubSpot.default_settings());
    }

    #[test]
    fn rules_read_back_as_they_are_written() {
        let rules = parse_rules("Closed Won = won\n\n Negotiation/Review = open ").unwrap();
        assert_eq!(
            rules_text(&rules),
            "Closed Won = won\nNegotiation/Review = open"
        );
        assert!(parse_rules("= won").is_err());
        assert!(parse_rules("Closed Won").is_err());
    }

    #[test]
    fn write_back_names_each_share_and_the_sourced_flag() {
        let mut settings = CrmKind::HubSpot.default_settings();
        assert!(!settings.writes_back());
        settings.attribution_field = "partner_attribution".into();
        settings.sourced_field = "partner_sourced".into();
        let back = write_back(
            &settings,
            &[("Apex".into(), dec!(0.6)), ("Northstar".into(), dec!(0.4))],
            true,
        );
        assert_eq!(
            back.fields,
            [
                (
                    "partner_attribution".into(),
                    "Apex 60%; Northstar 40%".into()
                ),
                ("partner_sourced".into(), "true".into())
            ]
        );
    }
}
