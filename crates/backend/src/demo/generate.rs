use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::{Decimal, RoundingStrategy};

use super::names::*;
use domain::attribution::{self, AttributionModel, DealInput, Explanation, ModelSettings, Touch};
use domain::deal::DealStage;
use domain::ids::{DealId, PartnerId};
use domain::money::{Currency, Money};
use domain::partner::{PartnerStatus, PartnerTier, PartnerType};
use domain::payout::{DisputeStatus, PayoutStatus};
use domain::touchpoint::TouchpointKind;
use domain::user::Role;

/// A whole demo company. Records refer to each other by index into these vectors; `load` turns
/// index `i` into database id `i + 1`.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub organization: DemoOrganization,
    pub users: Vec<DemoUser>,
    pub partners: Vec<DemoPartner>,
    pub rules: Vec<DemoRule>,
    pub deals: Vec<DemoDeal>,
    pub touchpoints: Vec<DemoTouchpoint>,
    pub attributions: Vec<DemoAttribution>,
    pub payouts: Vec<DemoPayout>,
    pub disputes: Vec<DemoDispute>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoOrganization {
    pub name: String,
    pub slug: String,
    pub base_currency: Currency,
    pub payable_model: AttributionModel,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub partner: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoPartner {
    pub name: String,
    pub partner_type: PartnerType,
    pub status: PartnerStatus,
    pub tier: PartnerTier,
    pub contact_name: String,
    pub contact_email: String,
    pub website: String,
    pub region: String,
    pub commission_rate: Decimal,
    pub created_at: DateTime<Utc>,
}

/// A percentage commission rule for one tier.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRule {
    pub name: String,
    pub tier: PartnerTier,
    pub rate: Decimal,
    pub effective_from: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoDeal {
    pub name: String,
    pub account: String,
    pub amount: Money,
    pub stage: DealStage,
    pub expected_close_on: Option<NaiveDate>,
    pub closed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub external_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoTouchpoint {
    pub deal: usize,
    pub partner: usize,
    pub kind: TouchpointKind,
    pub occurred_at: DateTime<Utc>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoAttribution {
    pub deal: usize,
    pub partner: usize,
    pub share: Decimal,
    pub amount: Money,
    pub explanation: Explanation,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoPayout {
    pub attribution: usize,
    pub deal: usize,
    pub partner: usize,
    pub rule: usize,
    pub amount: Money,
    pub status: PayoutStatus,
    pub created_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub paid_reference: Option<String>,
    pub rejected_reason: Option<String>,
    pub batch_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoDispute {
    pub payout: usize,
    pub deal: usize,
    pub partner: usize,
    pub reason: String,
    pub status: DisputeStatus,
    pub resolution: Option<String>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// How many months of history the demo covers.
const HISTORY_DAYS: i64 = 540;

/// Builds the company as of `now`: the same `seed`, `deals` and `now` always give the same data.
pub fn generate(seed: u64, deal_count: usize, now: DateTime<Utc>) -> DemoData {
    let now = now - Duration::nanoseconds(i64::from(now.timestamp_subsec_nanos()));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let base = Currency::USD;
    let organization = DemoOrganization {
        name: "Northwind Cloud".into(),
        slug: "northwind".into(),
        base_currency: base,
        payable_model: AttributionModel::EqualSplit,
        created_at: now - Duration::days(HISTORY_DAYS + 60),
    };
    let rules = tier_rules(organization.created_at.date_naive());
    let partners = partners(&mut rng, 30 + deal_count / 1000, &rules, now);
    let users = users(&partners);
    let mut data = DemoData {
        organization,
        users,
        partners,
        rules,
        deals: Vec::with_capacity(deal_count),
        touchpoints: Vec::with_capacity(deal_count * 3),
        attributions: Vec::new(),
        payouts: Vec::new(),
        disputes: Vec::new(),
    };
    let eligible: Vec<usize> = (0..data.partners.len())
        .filter(|&i| {
            matches!(
                data.partners[i].status,
                PartnerStatus::Active | PartnerStatus::Inactive
            )
        })
        .collect();
    for index in 0..deal_count {
        let deal = deal(&mut rng, index, base, now);
        data.deals.push(deal);
        touchpoints(&mut rng, &mut data, index, &eligible, now);
    }
    attribute_won_deals(&mut data);
    payouts(&mut rng, &mut data, now);
    disputes(&mut rng, &mut data, now);
    data
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// Picks by integer weight.
fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total);
    for (item, weight) in items {
        if roll < *weight {
            return *item;
        }
        roll -= weight;
    }
    items[items.len() - 1].0
}

fn random_time_between(
    rng: &mut ChaCha8Rng,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> DateTime<Utc> {
    let span = (to - from).num_seconds().max(1);
    from + Duration::seconds(rng.gen_range(0..span))
}

fn tier_rate(tier: PartnerTier) -> Decimal {
    match tier {
        PartnerTier::Registered => Decimal::new(5, 2),
        PartnerTier::Silver => Decimal::new(8, 2),
        PartnerTier::Gold => Decimal::new(10, 2),
        PartnerTier::Platinum => Decimal::new(12, 2),
    }
}

fn tier_rules(effective_from: NaiveDate) -> Vec<DemoRule> {
    PartnerTier::ALL
        .iter()
        .map(|&tier| DemoRule {
            name: format!("{} tier commission", tier.title()),
            tier,
            rate: tier_rate(tier),
            effective_from,
        })
        .collect()
}

fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
}

fn partners(
    rng: &mut ChaCha8Rng,
    count: usize,
    rules: &[DemoRule],
    now: DateTime<Utc>,
) -> Vec<DemoPartner> {
    let (prefixes, suffixes) = (PARTNER_PREFIXES.len(), PARTNER_SUFFIXES.len());
    (0..count)
        .map(|i| {
            // (i mod P, (i / P + i mod P) mod S) is unique for the first P × S partners.
            let mut name = format!(
                "{} {}",
                PARTNER_PREFIXES[i % prefixes],
                PARTNER_SUFFIXES[(i / prefixes + i % prefixes) % suffixes]
            );
            if i >= prefixes * suffixes {
                name = format!("{name} {}", i / (prefixes * suffixes) + 1);
            }
            // The first few partners cover every type, tier and status; the rest are drawn.
            let partner_type = PartnerType::ALL.get(i).copied().unwrap_or_else(|| {
                weighted(
                    rng,
                    &[
                        (PartnerType::Reseller, 30),
                        (PartnerType::Referral, 25),
                        (PartnerType::Technology, 15),
                        (PartnerType::Integrator, 10),
                        (PartnerType::Agency, 10),
                        (PartnerType::Marketplace, 5),
                        (PartnerType::Distributor, 5),
                    ],
                )
            });
            let tier = PartnerTier::ALL.get(i % 10).copied().unwrap_or_else(|| {
                weighted(
                    rng,
                    &[
                        (PartnerTier::Registered, 35),
                        (PartnerTier::Silver, 30),
                        (PartnerTier::Gold, 25),
                        (PartnerTier::Platinum, 10),
                    ],
                )
            });
            let status = match count - i {
                1 => PartnerStatus::Invited,
                2 => PartnerStatus::Onboarding,
                3 => PartnerStatus::Inactive,
                _ => weighted(
                    rng,
                    &[
                        (PartnerStatus::Active, 85),
                        (PartnerStatus::Onboarding, 6),
                        (PartnerStatus::Inactive, 6),
                        (PartnerStatus::Invited, 3),
                    ],
                ),
            };
            let contact_first = pick(rng, CONTACT_FIRST);
            let contact_last = pick(rng, CONTACT_LAST);
            let domain = format!("{}.example", slug(&name));
            let rate = rules
                .iter()
                .find(|r| r.tier == tier)
                .map_or(Decimal::ZERO, |r| r.rate);
            DemoPartner {
                contact_name: format!("{contact_first} {contact_last}"),
                contact_email: format!("{}@{domain}", contact_first.to_lowercase()),
                website: format!("https://www.{domain}"),
                region: pick(rng, REGIONS).to_string(),
                commission_rate: rate,
                created_at: now - Duration::days(rng.gen_range(HISTORY_DAYS..HISTORY_DAYS + 60)),
                name,
                partner_type,
                status,
                tier,
            }
        })
        .collect()
}

fn users(partners: &[DemoPartner]) -> Vec<DemoUser> {
    let staff = [
        ("admin", "Ada Admin", Role::Admin),
        ("manager", "Maya Manager", Role::PartnerManager),
        ("finance", "Felix Finance", Role::Finance),
        ("exec", "Erin Executive", Role::Executive),
    ];
    let mut users: Vec<DemoUser> = staff
        .iter()
        .map(|(login, name, role)| DemoUser {
            email: format!("{login}@northwind.example"),
            name: (*name).into(),
            role: *role,
            partner: None,
        })
        .collect();
    // Portal logins for the first two active partners.
    let active = partners
        .iter()
        .enumerate()
        .filter(|(_, p)| p.status == PartnerStatus::Active);
    for (index, partner) in active.take(2) {
        users.push(DemoUser {
            email: format!("partner@{}.example", slug(&partner.name)),
            name: partner.contact_name.clone(),
            role: Role::Partner,
            partner: Some(index),
        });
    }
    users
}

fn deal(rng: &mut ChaCha8Rng, index: usize, currency: Currency, now: DateTime<Utc>) -> DemoDeal {
    let created_at = now
        - Duration::days(rng.gen_range(3..HISTORY_DAYS))
        - Duration::seconds(rng.gen_range(0..86_400));
    let account = format!("{} {}", pick(rng, ACCOUNT_FIRST), pick(rng, ACCOUNT_SECOND));
    // Most deals are mid-market; a few are large enterprise contracts.
    let dollars: i64 = match rng.gen_range(0..100) {
        0..50 => rng.gen_range(50..250),
        50..85 => rng.gen_range(250..1_000),
        _ => rng.gen_range(1_000..4_000),
    } * 100;
    let age_days = (now - created_at).num_days();
    let stage = if age_days < 30 {
        weighted(
            rng,
            &[
                (DealStage::Open, 80),
                (DealStage::Won, 12),
                (DealStage::Lost, 8),
            ],
        )
    } else {
        weighted(
            rng,
            &[
                (DealStage::Won, 45),
                (DealStage::Lost, 30),
                (DealStage::Open, 25),
            ],
        )
    };
    let (stage, closed_at, expected_close_on) = if stage.is_closed() {
        let days = rng.gen_range(7..=age_days.clamp(8, 150));
        let closed =
            (created_at + Duration::days(days) + Duration::seconds(rng.gen_range(0..36_000)))
                .min(now - Duration::hours(1));
        (stage, Some(closed), None)
    } else {
        let mut expected = (created_at + Duration::days(rng.gen_range(30..180))).date_naive();
        if expected < now.date_naive() {
            // Slipped deals get a new date, as a sales team would set.
            expected = now.date_naive() + Duration::days(rng.gen_range(7..90));
        }
        (DealStage::Open, None, Some(expected))
    };
    DemoDeal {
        name: format!("{account} — {}", pick(rng, PRODUCTS)),
        account,
        amount: Money::from_minor(dollars * 100, currency),
        stage,
        expected_close_on,
        closed_at,
        created_at,
        external_id: format!("006D{:08}", index + 1),
    }
}

/// The odds that a deal has no partner, and that a partner deal was brought in by its partner
/// (probabilities, not amounts).
const DIRECT_ODDS: f64 = 0.15;
const SOURCED_ODDS: f64 = 0.65;

fn touchpoints(
    rng: &mut ChaCha8Rng,
    data: &mut DemoData,
    deal: usize,
    eligible: &[usize],
    now: DateTime<Utc>,
) {
    // Some deals the sales team wins alone: they are not partner revenue.
    if eligible.is_empty() || rng.gen_bool(DIRECT_ODDS) {
        return;
    }
    // Most partner deals were brought in by the partner (a sourcing first touch); the rest
    // already existed when a partner joined (partner-influenced).
    let sourced = rng.gen_bool(SOURCED_ODDS);
    let partner_count =
        weighted(rng, &[(1usize, 40), (2, 35), (3, 18), (4, 7)]).min(eligible.len());
    let mut partners: Vec<usize> = Vec::with_capacity(partner_count);
    while partners.len() < partner_count {
        let candidate = *pick(rng, eligible);
        if !partners.contains(&candidate) {
            partners.push(candidate);
        }
    }
    let count = rng.gen_range(partner_count.max(1)..=6);
    let record = &data.deals[deal];
    let start = record.created_at - Duration::days(14);
    let end = record.closed_at.unwrap_or(now);
    let mut times: Vec<DateTime<Utc>> = (0..count)
        .map(|_| random_time_between(rng, start, end))
        .collect();
    times.sort();
    for (position, occurred_at) in times.into_iter().enumerate() {
        // Every chosen partner appears at least once, in the order they joined the deal.
        let partner = partners
            .get(position)
            .copied()
            .unwrap_or_else(|| *pick(rng, &partners));
        let kind = if position == 0 && !sourced {
            *pick(
                rng,
                &[
                    TouchpointKind::Demo,
                    TouchpointKind::CoSell,
                    TouchpointKind::TechnicalValidation,
                ],
            )
        } else if position == 0 {
            if data.partners[partner].partner_type == PartnerType::Marketplace {
                TouchpointKind::MarketplaceListing
            } else {
                *pick(
                    rng,
                    &[
                        TouchpointKind::Referral,
                        TouchpointKind::Introduction,
                        TouchpointKind::DealRegistration,
                    ],
                )
            }
        } else {
            *pick(
                rng,
                &[
                    TouchpointKind::Demo,
                    TouchpointKind::Proposal,
                    TouchpointKind::CoSell,
                    TouchpointKind::TechnicalValidation,
                    TouchpointKind::Negotiation,
                    TouchpointKind::Introduction,
                ],
            )
        };
        let note = rng
            .gen_bool(0.4)
            .then(|| pick(rng, TOUCHPOINT_NOTES).to_string());
        data.touchpoints.push(DemoTouchpoint {
            deal,
            partner,
            kind,
            occurred_at,
            note,
        });
    }
}

/// Equal split of each won deal among the partners who touched it, exact to the cent.
fn attribute_won_deals(data: &mut DemoData) {
    let mut touches_by_deal: Vec<Vec<Touch>> = vec![Vec::new(); data.deals.len()];
    for touchpoint in &data.touchpoints {
        touches_by_deal[touchpoint.deal].push(Touch {
            partner: partner_id(touchpoint.partner),
            kind: touchpoint.kind,
            at: touchpoint.occurred_at,
        });
    }
    let settings = ModelSettings::default();
    let model = data.organization.payable_model;
    for (index, (deal, touches)) in data.deals.iter().zip(touches_by_deal).enumerate() {
        let Some(closed_at) = deal.closed_at.filter(|_| deal.stage == DealStage::Won) else {
            continue;
        };
        let input = DealInput {
            deal: DealId(index as i64 + 1),
            amount: deal.amount,
            closed_at,
            touches,
        };
        let Ok(result) = attribution::attribute(&input, model, &settings) else {
            continue;
        };
        for split in result.splits() {
            data.attributions.push(DemoAttribution {
                deal: index,
                partner: split.partner.0 as usize - 1,
                share: split.share,
                amount: split.amount,
                explanation: split.explanation.clone(),
            });
        }
    }
}

/// Demo partner `index` is stored with id `index + 1`.
fn partner_id(index: usize) -> PartnerId {
    PartnerId(index as i64 + 1)
}

fn payouts(rng: &mut ChaCha8Rng, data: &mut DemoData, now: DateTime<Utc>) {
    for (index, attribution) in data.attributions.iter().enumerate() {
        let deal = &data.deals[attribution.deal];
        let Some(closed_at) = deal.closed_at else {
            continue;
        };
        let partner = &data.partners[attribution.partner];
        let rule = data
            .rules
            .iter()
            .position(|r| r.tier == partner.tier)
            .unwrap_or(0);
        let commission = (attribution.amount.amount() * data.rules[rule].rate)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        let Ok(amount) = Money::new(commission, attribution.amount.currency()) else {
            continue;
        };
        let age = (now - closed_at).num_days();
        let mut status = if age > 75 {
            weighted(
                rng,
                &[
                    (PayoutStatus::Paid, 88),
                    (PayoutStatus::Rejected, 6),
                    (PayoutStatus::Approved, 6),
                ],
            )
        } else if age > 30 {
            weighted(
                rng,
                &[
                    (PayoutStatus::Approved, 45),
                    (PayoutStatus::Paid, 40),
                    (PayoutStatus::Pending, 10),
                    (PayoutStatus::Rejected, 5),
                ],
            )
        } else {
            weighted(
                rng,
                &[(PayoutStatus::Pending, 80), (PayoutStatus::Approved, 20)],
            )
        };
        let created_at = closed_at + Duration::hours(1);
        let approved_at = matches!(status, PayoutStatus::Approved | PayoutStatus::Paid)
            .then(|| (created_at + Duration::days(rng.gen_range(2..20))).min(now));
        let mut paid_at = None;
        if status == PayoutStatus::Paid {
            let at = approved_at.unwrap_or(created_at) + Duration::days(rng.gen_range(3..25));
            if at < now {
                paid_at = Some(at)
            } else {
                status = PayoutStatus::Approved
            }
        }
        data.payouts.push(DemoPayout {
            attribution: index,
            deal: attribution.deal,
            partner: attribution.partner,
            rule,
            amount,
            status,
            created_at,
            approved_at,
            paid_reference: paid_at.map(|at| format!("PAY-{}-{:05}", at.format("%Y%m"), index + 1)),
            batch_id: paid_at.map(|at| format!("batch-{}", at.format("%Y-%m"))),
            paid_at,
            rejected_reason: (status == PayoutStatus::Rejected).then(|| {
                "Duplicate registration: another partner registered this deal first.".to_owned()
            }),
        });
    }
}

fn disputes(rng: &mut ChaCha8Rng, data: &mut DemoData, now: DateTime<Utc>) {
    let candidates: Vec<usize> = (0..data.payouts.len())
        .filter(|&i| data.payouts[i].status != PayoutStatus::Pending)
        .collect();
    if candidates.is_empty() {
        return;
    }
    let wanted = (data.payouts.len() / 150).clamp(4, 200);
    let mut chosen: Vec<usize> = Vec::with_capacity(wanted);
    for _ in 0..wanted * 4 {
        if chosen.len() == wanted.min(candidates.len()) {
            break;
        }
        let candidate = *pick(rng, &candidates);
        if !chosen.contains(&candidate) {
            chosen.push(candidate);
        }
    }
    for (n, payout_index) in chosen.into_iter().enumerate() {
        let payout = &data.payouts[payout_index];
        let status = DisputeStatus::ALL[n % DisputeStatus::ALL.len()];
        let created_at = random_time_between(rng, payout.created_at, now);
        let resolved_at = status
            .is_final()
            .then(|| (created_at + Duration::days(rng.gen_range(1..14))).min(now));
        let resolution = match status {
            DisputeStatus::Resolved => Some("Reviewed the touchpoint timeline with the partner; credit confirmed as calculated.".to_owned()),
            DisputeStatus::Rejected => Some("The other partner's registration predates this claim; no change.".to_owned()),
            _ => None,
        };
        data.disputes.push(DemoDispute {
            payout: payout_index,
            deal: payout.deal,
            partner: payout.partner,
            reason: pick(rng, DISPUTE_REASONS).to_string(),
            status,
            resolution,
            created_at,
            resolved_at,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::collections::HashSet;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 0, 0, 0).unwrap()
    }

    #[test]
    fn same_seed_same_company_other_seed_other_company() {
        assert_eq!(generate(7, 200, now()), generate(7, 200, now()));
        assert_ne!(generate(7, 200, now()).deals, generate(8, 200, now()).deals);
    }

    #[test]
    fn the_demo_company_covers_every_state() {
        let data = generate(2026, 600, now());
        assert_eq!(data.deals.len(), 600);
        assert!(data.partners.len() >= 30);
        let roles: HashSet<_> = data.users.iter().map(|u| u.role).collect();
        assert_eq!(roles.len(), Role::ALL.len(), "a user for every role");
        let types: HashSet<_> = data.partners.iter().map(|p| p.partner_type).collect();
        assert_eq!(types.len(), PartnerType::ALL.len());
        let tiers: HashSet<_> = data.partners.iter().map(|p| p.tier).collect();
        assert_eq!(tiers.len(), PartnerTier::ALL.len());
        let statuses: HashSet<_> = data.partners.iter().map(|p| p.status).collect();
        assert_eq!(statuses.len(), PartnerStatus::ALL.len());
        let stages: HashSet<_> = data.deals.iter().map(|d| d.stage).collect();
        assert_eq!(stages.len(), DealStage::ALL.len());
        let payouts: HashSet<_> = data.payouts.iter().map(|p| p.status).collect();
        assert_eq!(payouts.len(), PayoutStatus::ALL.len());
        let disputes: HashSet<_> = data.disputes.iter().map(|d| d.status).collect();
        assert_eq!(disputes.len(), DisputeStatus::ALL.len());
    }

    #[test]
    fn records_are_consistent() {
        let data = generate(2026, 600, now());
        let names: HashSet<_> = data.partners.iter().map(|p| &p.name).collect();
        assert_eq!(names.len(), data.partners.len(), "partner names are unique");
        for deal in &data.deals {
            assert_eq!(deal.stage.is_closed(), deal.closed_at.is_some());
            assert!(deal.created_at >= now() - Duration::days(HISTORY_DAYS + 1));
            assert!(
                deal.closed_at
                    .is_none_or(|c| c > deal.created_at && c < now())
            );
            assert!(deal.amount.to_minor().unwrap() > 0);
        }
        let mut touches = vec![0; data.deals.len()];
        for t in &data.touchpoints {
            touches[t.deal] += 1;
            let status = data.partners[t.partner].status;
            assert!(matches!(
                status,
                PartnerStatus::Active | PartnerStatus::Inactive
            ));
        }
        assert!(
            touches.iter().all(|&n| n <= 6),
            "at most 6 touchpoints per deal"
        );
        let direct = touches.iter().filter(|&&n| n == 0).count();
        assert!(
            direct > 0 && direct < touches.len() / 4,
            "some deals, not many, have no partner: {direct}"
        );
        for p in &data.payouts {
            assert_eq!(p.status == PayoutStatus::Paid, p.paid_at.is_some());
            if matches!(p.status, PayoutStatus::Approved | PayoutStatus::Paid) {
                assert!(p.approved_at.is_some());
            }
        }
    }

    #[test]
    fn attributions_add_up_to_each_won_partner_deal_exactly() {
        let data = generate(2026, 600, now());
        for (index, deal) in data.deals.iter().enumerate() {
            let credited: Vec<_> = data
                .attributions
                .iter()
                .filter(|a| a.deal == index)
                .collect();
            let partnered = data.touchpoints.iter().any(|t| t.deal == index);
            if deal.stage == DealStage::Won && partnered {
                let sum: i64 = credited.iter().map(|a| a.amount.to_minor().unwrap()).sum();
                assert_eq!(sum, deal.amount.to_minor().unwrap(), "deal {index}");
            } else {
                assert!(credited.is_empty());
            }
        }
    }

    #[test]
    fn scales_partners_with_deals() {
        let data = generate(1, 5_000, now());
        assert_eq!(data.partners.len(), 35);
        assert_eq!(data.deals.len(), 5_000);
    }
}
