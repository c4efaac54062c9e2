//! Every server function, API route and page, called by every kind of caller: nobody, a user of
//! another organization, a partner user of another partner, and each role of the organization
//! that owns the data. The expected outcome of each call comes from the table below; a server
//! function or page that is missing from the table fails the test, so nothing new ships without
//! deciding who may call it.

use crate::common;

use std::collections::BTreeSet;

use backend::demo;
use chrono::Utc;
use partner_attribution::domain::access::{Action, Resource, can};
use partner_attribution::domain::deal::DealStage;
use partner_attribution::domain::money::Currency;
use partner_attribution::domain::payout::DisputeStatus;
use partner_attribution::domain::registration::RegistrationStatus;
use partner_attribution::domain::user::Role;
use reqwest::StatusCode;

/// Who may call a server function.
#[derive(Clone, Copy, Debug)]
enum Gate {
    /// Anyone, signed in or not; the call answers with this status whoever makes it.
    Public(u16),
    /// Signed-in users whose role may `Action` the `Resource`.
    Role(Action, Resource),
    /// As `Role`, and partner users through the portal (on their own partner's records).
    RoleOrPortal(Action, Resource),
}

/// What a call refers to, when it names a record of the organization under test.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    /// Nothing of another tenant: outsiders act on their own organization.
    OwnTenant,
    /// A record of the organization under test: outsiders must get 404, as if it did not exist.
    OtherTenantRecord,
}

struct Endpoint {
    path: &'static str,
    gate: Gate,
    target: Target,
    /// Form fields. Placeholders name records of the organization under test: `{target_user}`
    /// (a user no caller signs in as), `{member_partner}` (the partner of the partner caller),
    /// `{spare_partner}` (a partner no caller belongs to).
    form: &'static [(&'static str, &'static str)],
    /// The status of an allowed call (200, or 409 / 422 for a call that is always refused on its
    /// merits).
    allowed: u16,
    /// The first allowed call uses the record up (a removal): later allowed callers get 404.
    once: bool,
    /// Sent as a JSON object (values that parse as JSON objects or numbers go as such) rather
    /// than a form.
    json: bool,
}

const fn endpoint(
    path: &'static str,
    gate: Gate,
    target: Target,
    form: &'static [(&'static str, &'static str)],
) -> Endpoint {
    Endpoint {
        path,
        gate,
        target,
        form,
        allowed: 200,
        once: false,
        json: false,
    }
}

const fn json(endpoint: Endpoint) -> Endpoint {
    Endpoint {
        json: true,
        ..endpoint
    }
}

const fn refused_on_merits(endpoint: Endpoint) -> Endpoint {
    Endpoint {
        allowed: 409,
        ..endpoint
    }
}

const fn invalid_on_merits(endpoint: Endpoint) -> Endpoint {
    Endpoint {
        allowed: 422,
        ..endpoint
    }
}

const fn used_up(endpoint: Endpoint) -> Endpoint {
    Endpoint {
        once: true,
        ..endpoint
    }
}

/// Every server function. Sign-out comes last: it ends the caller's session.
const SERVER_FUNCTIONS: &[Endpoint] = &[
    endpoint(
        "/api/dashboard/summary",
        Gate::Role(Action::View, Resource::Dashboard),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/partners/list",
        Gate::Role(Action::View, Resource::Partners),
        Target::OwnTenant,
        &[("search", "")],
    ),
    endpoint(
        "/api/partners/get",
        Gate::Role(Action::View, Resource::Partners),
        Target::OtherTenantRecord,
        &[("id", "{member_partner}")],
    ),
    endpoint(
        "/api/partners/save",
        Gate::Role(Action::Edit, Resource::Partners),
        Target::OtherTenantRecord,
        &[
            ("id", "{spare_partner}"),
            ("form[name]", "Renamed Partner"),
            ("form[partner_type]", "reseller"),
            ("form[tier]", "gold"),
            ("form[commission_rate]", "10"),
            ("form[contact_name]", ""),
            ("form[contact_email]", ""),
            ("form[website]", ""),
            ("form[region]", ""),
        ],
    ),
    // An active partner cannot go back to invited: allowed callers get the domain's refusal.
    refused_on_merits(endpoint(
        "/api/partners/status",
        Gate::Role(Action::Edit, Resource::Partners),
        Target::OtherTenantRecord,
        &[("id", "{member_partner}"), ("status", "invited")],
    )),
    endpoint(
        "/api/deals/list",
        Gate::Role(Action::View, Resource::Deals),
        Target::OwnTenant,
        &[("filter[search]", "")],
    ),
    endpoint(
        "/api/deals/get",
        Gate::Role(Action::View, Resource::Deals),
        Target::OtherTenantRecord,
        &[("id", "{shared_deal}")],
    ),
    endpoint(
        "/api/partners/leaderboard",
        Gate::Role(Action::View, Resource::Partners),
        Target::OwnTenant,
        &[("period", "last_12_months")],
    ),
    endpoint(
        "/api/reports/revenue",
        Gate::Role(Action::View, Resource::Reports),
        Target::OwnTenant,
        &[("period", "last_12_months")],
    ),
    endpoint(
        "/api/reports/top_partners",
        Gate::Role(Action::View, Resource::Reports),
        Target::OwnTenant,
        &[("period", "this_year")],
    ),
    endpoint(
        "/api/reports/models",
        Gate::Role(Action::View, Resource::Reports),
        Target::OwnTenant,
        &[("period", "last_quarter")],
    ),
    endpoint(
        "/api/reports/roi",
        Gate::Role(Action::View, Resource::Reports),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/reports/forecast",
        Gate::Role(Action::View, Resource::Reports),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/partners/performance",
        Gate::Role(Action::View, Resource::Partners),
        Target::OtherTenantRecord,
        &[("id", "{member_partner}")],
    ),
    endpoint(
        "/api/partners/choices",
        Gate::Role(Action::View, Resource::Partners),
        Target::OwnTenant,
        &[],
    ),
    // A won deal's currency is the one its commissions were computed in.
    invalid_on_merits(endpoint(
        "/api/deals/save",
        Gate::Role(Action::Edit, Resource::Deals),
        Target::OtherTenantRecord,
        &[
            ("id", "{won_deal}"),
            ("form[name]", "Renamed"),
            ("form[account_name]", "Renamed Inc"),
            ("form[amount]", "1000"),
            ("form[currency]", "{other_currency}"),
        ],
    )),
    // A won deal counts touches up to its close only.
    invalid_on_merits(endpoint(
        "/api/deals/touchpoints/add",
        Gate::Role(Action::Edit, Resource::Touchpoints),
        Target::OtherTenantRecord,
        &[
            ("deal_id", "{won_deal}"),
            ("form[partner_id]", "{spare_partner}"),
            ("form[kind]", "demo"),
            ("form[occurred_on]", "{today}"),
        ],
    )),
    // A won deal counts touches up to its close only, edited ones too.
    invalid_on_merits(endpoint(
        "/api/deals/touchpoints/update",
        Gate::Role(Action::Edit, Resource::Touchpoints),
        Target::OtherTenantRecord,
        &[
            ("id", "{won_touchpoint}"),
            ("form[partner_id]", "{spare_partner}"),
            ("form[kind]", "demo"),
            ("form[occurred_on]", "{today}"),
        ],
    )),
    // Removing a won deal's touchpoint re-attributes it; the touchpoint is then gone.
    used_up(endpoint(
        "/api/deals/touchpoints/remove",
        Gate::Role(Action::Edit, Resource::Touchpoints),
        Target::OtherTenantRecord,
        &[("id", "{won_touchpoint}")],
    )),
    endpoint(
        "/api/partners/history",
        Gate::Role(Action::View, Resource::Partners),
        Target::OtherTenantRecord,
        &[("id", "{member_partner}")],
    ),
    endpoint(
        "/api/deals/history",
        Gate::Role(Action::View, Resource::Deals),
        Target::OtherTenantRecord,
        &[("id", "{won_deal}")],
    ),
    refused_on_merits(endpoint(
        "/api/deals/close",
        Gate::Role(Action::Edit, Resource::Deals),
        Target::OtherTenantRecord,
        &[("id", "{won_deal}"), ("outcome", "won")],
    )),
    // An open deal is not re-opened.
    refused_on_merits(endpoint(
        "/api/deals/reopen",
        Gate::Role(Action::Edit, Resource::Deals),
        Target::OtherTenantRecord,
        &[("id", "{open_deal}")],
    )),
    endpoint(
        "/api/audit/list",
        Gate::Role(Action::View, Resource::AuditLog),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/payouts/earnings",
        Gate::Role(Action::View, Resource::Payouts),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/payouts/four-eyes",
        Gate::Role(Action::Edit, Resource::Payouts),
        Target::OwnTenant,
        &[("enabled", "false")],
    ),
    endpoint(
        "/api/payouts/statement",
        Gate::Role(Action::View, Resource::Payouts),
        Target::OtherTenantRecord,
        &[("partner_id", "{member_partner}")],
    ),
    endpoint(
        "/api/payouts/list",
        Gate::Role(Action::View, Resource::Payouts),
        Target::OwnTenant,
        &[],
    ),
    // A paid payout is never approved again.
    refused_on_merits(endpoint(
        "/api/payouts/act",
        Gate::Role(Action::Approve, Resource::Payouts),
        Target::OtherTenantRecord,
        &[("id", "{paid_payout}"), ("form[verb]", "approve")],
    )),
    // Answered with a summary (the paid payout skipped); another organization's ids match none
    // of its own payouts.
    endpoint(
        "/api/payouts/bulk",
        Gate::Role(Action::Approve, Resource::Payouts),
        Target::OwnTenant,
        &[
            ("selection[ids][0]", "{paid_payout}"),
            ("form[verb]", "approve"),
            ("idempotency_key", "access-table"),
        ],
    ),
    endpoint(
        "/api/commission-rules/list",
        Gate::Role(Action::View, Resource::CommissionRules),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/commission-rules/get",
        Gate::Role(Action::View, Resource::CommissionRules),
        Target::OtherTenantRecord,
        &[("rule_id", "1")],
    ),
    // Refused on its first day: a new version of rule 1 cannot start before version 1 did.
    invalid_on_merits(endpoint(
        "/api/commission-rules/save",
        Gate::Role(Action::Edit, Resource::CommissionRules),
        Target::OtherTenantRecord,
        &[
            ("rule_id", "1"),
            ("form[name]", "Access table"),
            ("form[scope]", "all"),
            ("form[kind]", "percentage"),
            ("form[rate]", "10"),
            ("form[effective_from]", "2000-01-01"),
        ],
    )),
    invalid_on_merits(endpoint(
        "/api/commission-rules/end",
        Gate::Role(Action::Edit, Resource::CommissionRules),
        Target::OtherTenantRecord,
        &[("rule_id", "1"), ("last_day", "2000-01-01")],
    )),
    endpoint(
        "/api/commission-rules/preview",
        Gate::Role(Action::View, Resource::CommissionRules),
        Target::OtherTenantRecord,
        &[
            ("rule_id", "1"),
            ("form[name]", "Access table"),
            ("form[scope]", "all"),
            ("form[kind]", "percentage"),
            ("form[rate]", "10"),
            ("form[effective_from]", "2099-01-01"),
        ],
    ),
    endpoint(
        "/api/portal/overview",
        Gate::Role(Action::View, Resource::Portal),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/portal/deals",
        Gate::Role(Action::View, Resource::Portal),
        Target::OwnTenant,
        &[("search", ""), ("page", "0")],
    ),
    // A deal only the member partner touched: another partner's user gets 404.
    endpoint(
        "/api/portal/deal",
        Gate::Role(Action::View, Resource::Portal),
        Target::OtherTenantRecord,
        &[("id", "{member_only_deal}")],
    ),
    endpoint(
        "/api/portal/statement",
        Gate::Role(Action::View, Resource::Portal),
        Target::OwnTenant,
        &[("period", "last_12_months")],
    ),
    endpoint(
        "/api/portal/profile",
        Gate::Role(Action::View, Resource::Portal),
        Target::OwnTenant,
        &[],
    ),
    // The partner callers administer their own partners (demo logins are their first users).
    endpoint(
        "/api/portal/contacts",
        Gate::Role(Action::Edit, Resource::Portal),
        Target::OwnTenant,
        &[
            ("form[contact_name]", "Casey Contact"),
            ("form[contact_email]", "casey@partner.example"),
        ],
    ),
    endpoint(
        "/api/portal/payout-details",
        Gate::Role(Action::Edit, Resource::Portal),
        Target::OwnTenant,
        &[
            ("form[method]", "bank_transfer"),
            ("form[holder]", "Access Table Ltd"),
            ("form[account]", "GB29 NWBK 6016 1331 9268 19"),
        ],
    ),
    endpoint(
        "/api/portal/invite",
        Gate::Role(Action::Edit, Resource::Portal),
        Target::OwnTenant,
        &[("email", "colleague@partner.example")],
    ),
    endpoint(
        "/api/settings/program",
        Gate::Role(Action::View, Resource::Settings),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/settings/program/save",
        Gate::Role(Action::Edit, Resource::Settings),
        Target::OwnTenant,
        &[
            ("form[silver]", "250000"),
            ("form[gold]", "1000000"),
            ("form[platinum]", "2500000"),
        ],
    ),
    endpoint(
        "/api/registrations/list",
        Gate::RoleOrPortal(Action::View, Resource::Deals),
        Target::OwnTenant,
        &[],
    ),
    // Partner users register for their own partner (another partner's user for its own).
    endpoint(
        "/api/registrations/register",
        Gate::Role(Action::Edit, Resource::Portal),
        Target::OwnTenant,
        &[
            ("form[account_name]", "Access Table Prospect"),
            ("form[contact_name]", "Pat Prospect"),
            ("form[contact_email]", "pat@prospect.example"),
            ("form[estimated_amount]", "25000"),
            ("form[expected_close_on]", "2099-01-01"),
        ],
    ),
    // Already rejected: every allowed caller is refused on the merits.
    refused_on_merits(endpoint(
        "/api/registrations/decide",
        Gate::Role(Action::Approve, Resource::Deals),
        Target::OtherTenantRecord,
        &[("id", "{member_registration}"), ("form[verb]", "approve")],
    )),
    endpoint(
        "/api/registrations/window",
        Gate::Role(Action::Edit, Resource::Settings),
        Target::OwnTenant,
        &[("days", "90")],
    ),
    endpoint(
        "/api/disputes/list",
        Gate::RoleOrPortal(Action::View, Resource::Disputes),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/disputes/get",
        Gate::RoleOrPortal(Action::View, Resource::Disputes),
        Target::OtherTenantRecord,
        &[("id", "{member_dispute}")],
    ),
    endpoint(
        "/api/disputes/open",
        Gate::RoleOrPortal(Action::Edit, Resource::Disputes),
        Target::OtherTenantRecord,
        &[
            ("form[payout_id]", "{member_payout}"),
            ("form[partner_id]", "{member_partner}"),
            ("form[reason]", "Our referral came first."),
        ],
    ),
    endpoint(
        "/api/disputes/reply",
        Gate::RoleOrPortal(Action::Edit, Resource::Disputes),
        Target::OtherTenantRecord,
        &[("id", "{member_dispute}"), ("body", "Any news?")],
    ),
    // An open dispute is reviewed before it is resolved.
    refused_on_merits(endpoint(
        "/api/disputes/act",
        Gate::Role(Action::Approve, Resource::Disputes),
        Target::OtherTenantRecord,
        &[
            ("id", "{member_dispute}"),
            ("form[verb]", "resolve"),
            ("form[answer]", "Credit confirmed."),
            ("form[adjustment]", "10"),
        ],
    )),
    endpoint(
        "/api/fx/list",
        Gate::Role(Action::View, Resource::Payouts),
        Target::OwnTenant,
        &[],
    ),
    invalid_on_merits(endpoint(
        "/api/fx/save",
        Gate::Role(Action::Edit, Resource::Payouts),
        Target::OwnTenant,
        &[("form[currency]", "EUR"), ("form[rate]", "-1")],
    )),
    // A file with a bad line saves nothing and says which.
    endpoint(
        "/api/fx/import",
        Gate::Role(Action::Edit, Resource::Payouts),
        Target::OwnTenant,
        &[("csv", "currency,rate,effective_on\nEUR,x,2026-01-01")],
    ),
    endpoint(
        "/api/users/list",
        Gate::Role(Action::View, Resource::Users),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/users/partner-options",
        Gate::Role(Action::Edit, Resource::Users),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/users/invite",
        Gate::Role(Action::Edit, Resource::Users),
        Target::OwnTenant,
        &[("email", "invitee@elsewhere.example"), ("role", "finance")],
    ),
    endpoint(
        "/api/users/change-role",
        Gate::Role(Action::Edit, Resource::Users),
        Target::OtherTenantRecord,
        &[("user_id", "{target_user}"), ("role", "finance")],
    ),
    endpoint(
        "/api/users/set-active",
        Gate::Role(Action::Edit, Resource::Users),
        Target::OtherTenantRecord,
        &[("user_id", "{target_user}"), ("active", "true")],
    ),
    endpoint(
        "/api/users/outbox",
        Gate::Role(Action::View, Resource::Users),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/settings/attribution",
        Gate::Role(Action::View, Resource::Attribution),
        Target::OwnTenant,
        &[],
    ),
    // An empty form is refused field by field (the preview's numbers are in tests/integration/settings.rs).
    invalid_on_merits(endpoint(
        "/api/settings/attribution/preview",
        Gate::Role(Action::View, Resource::Attribution),
        Target::OwnTenant,
        &[("form[half_life_days]", "")],
    )),
    invalid_on_merits(endpoint(
        "/api/settings/attribution/save",
        Gate::Role(Action::Edit, Resource::Attribution),
        Target::OwnTenant,
        &[("form[half_life_days]", "")],
    )),
    endpoint(
        "/api/webhooks/list",
        Gate::Role(Action::View, Resource::Webhooks),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/webhooks/targets",
        Gate::Role(Action::View, Resource::Webhooks),
        Target::OwnTenant,
        &[],
    ),
    Endpoint {
        allowed: 404,
        ..endpoint(
            "/api/webhooks/get",
            Gate::Role(Action::View, Resource::Webhooks),
            Target::OwnTenant,
            &[("id", "999999")],
        )
    },
    invalid_on_merits(endpoint(
        "/api/webhooks/save",
        Gate::Role(Action::Edit, Resource::Webhooks),
        Target::OwnTenant,
        &[("form[url]", "")],
    )),
    Endpoint {
        allowed: 404,
        ..endpoint(
            "/api/webhooks/enable",
            Gate::Role(Action::Edit, Resource::Webhooks),
            Target::OwnTenant,
            &[("id", "999999"), ("enabled", "false")],
        )
    },
    Endpoint {
        allowed: 404,
        ..endpoint(
            "/api/webhooks/delete",
            Gate::Role(Action::Edit, Resource::Webhooks),
            Target::OwnTenant,
            &[("id", "999999")],
        )
    },
    Endpoint {
        allowed: 404,
        ..endpoint(
            "/api/webhooks/redeliver",
            Gate::Role(Action::Edit, Resource::Webhooks),
            Target::OwnTenant,
            &[("delivery_id", "999999")],
        )
    },
    // Uploads are their uploader's alone (tests/integration/imports.rs): an unknown one is not found.
    Endpoint {
        allowed: 404,
        ..endpoint(
            "/api/imports/preview",
            Gate::Role(Action::Edit, Resource::Imports),
            Target::OwnTenant,
            &[("upload", "999999"), ("kind", "partners")],
        )
    },
    Endpoint {
        allowed: 404,
        ..json(endpoint(
            "/api/imports/start",
            Gate::Role(Action::Edit, Resource::Imports),
            Target::OwnTenant,
            &[
                ("upload", "999999"),
                ("kind", "partners"),
                ("mode", "valid_only"),
                ("mapping", "{}"),
            ],
        ))
    },
    endpoint(
        "/api/imports/list",
        Gate::Role(Action::View, Resource::Imports),
        Target::OwnTenant,
        &[],
    ),
    Endpoint {
        allowed: 404,
        ..endpoint(
            "/api/imports/get",
            Gate::Role(Action::View, Resource::Imports),
            Target::OwnTenant,
            &[("id", "999999")],
        )
    },
    Endpoint {
        allowed: 404,
        ..endpoint(
            "/api/imports/cancel",
            Gate::Role(Action::Edit, Resource::Imports),
            Target::OwnTenant,
            &[("id", "999999")],
        )
    },
    endpoint(
        "/api/crm/list",
        Gate::Role(Action::View, Resource::Integrations),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/crm/get",
        Gate::Role(Action::View, Resource::Integrations),
        Target::OwnTenant,
        &[("kind", "hubspot")],
    ),
    json(invalid_on_merits(endpoint(
        "/api/crm/save",
        Gate::Role(Action::Edit, Resource::Integrations),
        Target::OwnTenant,
        &[("kind", "hubspot"), ("form", "{}")],
    ))),
    refused_on_merits(endpoint(
        "/api/crm/test",
        Gate::Role(Action::Edit, Resource::Integrations),
        Target::OwnTenant,
        &[("kind", "hubspot")],
    )),
    refused_on_merits(endpoint(
        "/api/crm/sync",
        Gate::Role(Action::Edit, Resource::Integrations),
        Target::OwnTenant,
        &[("kind", "hubspot"), ("mode", "backfill")],
    )),
    Endpoint {
        allowed: 404,
        ..endpoint(
            "/api/crm/sync-detail",
            Gate::Role(Action::View, Resource::Integrations),
            Target::OwnTenant,
            &[("id", "999999")],
        )
    },
    Endpoint {
        allowed: 404,
        ..endpoint(
            "/api/crm/disconnect",
            Gate::Role(Action::Edit, Resource::Integrations),
            Target::OwnTenant,
            &[("kind", "hubspot")],
        )
    },
    Endpoint {
        allowed: 404,
        ..endpoint(
            "/api/crm/cancel",
            Gate::Role(Action::Edit, Resource::Integrations),
            Target::OwnTenant,
            &[("id", "999999")],
        )
    },
    endpoint(
        "/api/api-docs/reference",
        Gate::Public(200),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/api-keys/list",
        Gate::Role(Action::View, Resource::Settings),
        Target::OwnTenant,
        &[],
    ),
    invalid_on_merits(endpoint(
        "/api/api-keys/create",
        Gate::Role(Action::Edit, Resource::Settings),
        Target::OwnTenant,
        &[("form[name]", ""), ("form[scope]", "read")],
    )),
    Endpoint {
        allowed: 404,
        ..endpoint(
            "/api/api-keys/revoke",
            Gate::Role(Action::Edit, Resource::Settings),
            Target::OwnTenant,
            &[("id", "999999")],
        )
    },
    endpoint(
        "/api/auth/demo-logins",
        Gate::Public(200),
        Target::OwnTenant,
        &[],
    ),
    endpoint(
        "/api/auth/sign-in",
        Gate::Public(422),
        Target::OwnTenant,
        &[("email", "nobody@nowhere.example"), ("password", "wrong")],
    ),
    endpoint(
        "/api/auth/sign-up",
        Gate::Public(422),
        Target::OwnTenant,
        &[
            ("organization", ""),
            ("currency", "USD"),
            ("name", "X"),
            ("email", "not-an-email"),
            ("password", "short"),
        ],
    ),
    endpoint(
        "/api/auth/forgot-password",
        Gate::Public(200),
        Target::OwnTenant,
        &[("email", "nobody@nowhere.example")],
    ),
    endpoint(
        "/api/auth/link",
        Gate::Public(409),
        Target::OwnTenant,
        &[("token", "not-a-token")],
    ),
    endpoint(
        "/api/auth/accept-invitation",
        Gate::Public(409),
        Target::OwnTenant,
        &[
            ("token", "not-a-token"),
            ("name", "X"),
            ("password", "amber-tundra-signal-64"),
        ],
    ),
    endpoint(
        "/api/auth/reset-password",
        Gate::Public(409),
        Target::OwnTenant,
        &[
            ("token", "not-a-token"),
            ("password", "amber-tundra-signal-64"),
        ],
    ),
    endpoint(
        "/api/auth/sign-out",
        Gate::Public(200),
        Target::OwnTenant,
        &[],
    ),
];

/// Routes outside the server functions. The metrics need the scraper's token, which no session
/// stands in for (and this server has none configured).
const API_ROUTES: &[(&str, u16)] = &[("/healthz", 200), ("/readyz", 200), ("/metrics", 404)];

/// Every page: what a visitor must be allowed to do, or `None` for public pages.
/// Addresses people guess, and the page each redirects to.
const ALIASES: &[(&str, &str)] = &[
    ("/settings", "/settings/attribution"),
    ("/users", "/admin/users"),
    ("/admin", "/admin/users"),
    ("/outbox", "/admin/outbox"),
    ("/deals/registrations", "/registrations"),
];

const PAGES: &[(&str, Option<(Action, Resource)>)] = &[
    ("/", Some((Action::View, Resource::Dashboard))),
    ("/partners", Some((Action::View, Resource::Partners))),
    ("/partners/new", Some((Action::Edit, Resource::Partners))),
    ("/partners/{id}", Some((Action::View, Resource::Partners))),
    (
        "/partners/{id}/edit",
        Some((Action::Edit, Resource::Partners)),
    ),
    ("/leaderboard", Some((Action::View, Resource::Partners))),
    ("/deals", Some((Action::View, Resource::Deals))),
    ("/deals/new", Some((Action::Edit, Resource::Deals))),
    ("/deals/{id}", Some((Action::View, Resource::Deals))),
    ("/deals/{id}/edit", Some((Action::Edit, Resource::Deals))),
    ("/payouts", Some((Action::View, Resource::Payouts))),
    ("/payouts/earnings", Some((Action::View, Resource::Payouts))),
    (
        "/payouts/statement",
        Some((Action::View, Resource::Payouts)),
    ),
    ("/payouts/rates", Some((Action::View, Resource::Payouts))),
    (
        "/payouts/rules",
        Some((Action::View, Resource::CommissionRules)),
    ),
    (
        "/payouts/rules/new",
        Some((Action::Edit, Resource::CommissionRules)),
    ),
    (
        "/payouts/rules/{id}",
        Some((Action::View, Resource::CommissionRules)),
    ),
    ("/disputes", Some((Action::View, Resource::Disputes))),
    ("/disputes/{id}", Some((Action::View, Resource::Disputes))),
    ("/activity", Some((Action::View, Resource::AuditLog))),
    ("/portal", Some((Action::View, Resource::Portal))),
    ("/portal/deals", Some((Action::View, Resource::Portal))),
    ("/portal/profile", Some((Action::View, Resource::Portal))),
    (
        "/portal/registrations",
        Some((Action::View, Resource::Portal)),
    ),
    (
        "/portal/registrations/new",
        Some((Action::Edit, Resource::Portal)),
    ),
    ("/registrations", Some((Action::View, Resource::Deals))),
    (
        "/settings/program",
        Some((Action::View, Resource::Settings)),
    ),
    (
        "/settings/api-keys",
        Some((Action::View, Resource::Settings)),
    ),
    ("/imports", Some((Action::View, Resource::Imports))),
    ("/imports/{id}", Some((Action::View, Resource::Imports))),
    (
        "/settings/integrations",
        Some((Action::View, Resource::Integrations)),
    ),
    (
        "/settings/integrations/{kind}",
        Some((Action::View, Resource::Integrations)),
    ),
    (
        "/settings/integrations/{kind}/syncs/{id}",
        Some((Action::View, Resource::Integrations)),
    ),
    (
        "/settings/webhooks",
        Some((Action::View, Resource::Webhooks)),
    ),
    (
        "/settings/webhooks/{id}",
        Some((Action::View, Resource::Webhooks)),
    ),
    ("/portal/deals/{id}", Some((Action::View, Resource::Portal))),
    (
        "/portal/commissions",
        Some((Action::View, Resource::Portal)),
    ),
    ("/portal/disputes", Some((Action::View, Resource::Portal))),
    (
        "/portal/disputes/new",
        Some((Action::View, Resource::Portal)),
    ),
    (
        "/portal/disputes/{id}",
        Some((Action::View, Resource::Portal)),
    ),
    ("/reports", Some((Action::View, Resource::Reports))),
    (
        "/reports/top-partners",
        Some((Action::View, Resource::Reports)),
    ),
    ("/reports/models", Some((Action::View, Resource::Reports))),
    ("/reports/roi", Some((Action::View, Resource::Reports))),
    ("/reports/forecast", Some((Action::View, Resource::Reports))),
    ("/admin/users", Some((Action::View, Resource::Users))),
    ("/admin/outbox", Some((Action::View, Resource::Users))),
    (
        "/settings/attribution",
        Some((Action::View, Resource::Attribution)),
    ),
    ("/api-docs", None),
    ("/sign-in", None),
    ("/sign-up", None),
    ("/forgot-password", None),
    ("/reset-password/{token}", None),
    ("/invitation/{token}", None),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Caller {
    Nobody,
    OtherOrganization,
    OtherPartner,
    Member(Role),
}

struct Fixture {
    app: common::TestApp,
    // Keeps the SQLite file alive while the app uses it.
    _db: common::TestDb,
    /// The partner whose user is `Member(Partner)`; no other partner's user may read its name.
    member_partner: String,
    /// Values for the placeholders in `Endpoint::form`.
    placeholders: Vec<(&'static str, String)>,
    clients: Vec<(Caller, reqwest::Client)>,
}

impl Fixture {
    /// The endpoint's form with its placeholders filled in with this fixture's records.
    fn form_of(&self, endpoint: &Endpoint) -> Vec<(&'static str, &str)> {
        endpoint
            .form
            .iter()
            .map(|&(k, v)| {
                let value = self
                    .placeholders
                    .iter()
                    .find(|(name, _)| *name == v)
                    .map_or(v, |(_, value)| value.as_str());
                (k, value)
            })
            .collect()
    }
}

const OTHER_ORG_ADMIN: &str = "olga@other-org.example";
const PASSWORD: &str = "amber-tundra-signal-64";

async fn fixture(test_db: common::TestDb) -> Fixture {
    use backend::repo::users::{self, NewUser};
    use backend::tenant::Tenant;
    use partner_attribution::domain::ids::OrganizationId;
    let db = test_db.migrated().await;
    let data = demo::generate(7, 60, Utc::now());
    demo::load(&db, &data).await.expect("demo data");
    // Many sign-ins and failed attempts from one address: lift the limits (tested in tests/integration/auth.rs).
    let app = common::TestApp::spawn_with(db, |config| {
        config.auth.limits.attempts_per_ip_per_minute = 100_000;
        config.auth.limits.failures_per_account = 100_000;
    })
    .await;

    // A second organization, through sign-up.
    let other = app.browser();
    let signed_up = app
        .call(
            &other,
            "/api/auth/sign-up",
            &[
                ("organization", "Other Org"),
                ("currency", "USD"),
                ("name", "Olga Other"),
                ("email", OTHER_ORG_ADMIN),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(signed_up.status(), 200);

    // A user of the demo organization that no caller signs in as, for calls that change users.
    let target_user = users::insert(
        &Tenant::system(OrganizationId(1)),
        &app.db,
        NewUser {
            email: &"target@northwind.example".parse().unwrap(),
            name: "Tara Target",
            password_hash: "not-a-hash".into(),
            role: Role::PartnerManager,
            partner_id: None,
        },
    )
    .await
    .unwrap()
    .0;

    // Two partner users: the one of the organization under test, and one of another partner.
    let partner_users: Vec<_> = data
        .users
        .iter()
        .filter(|u| u.role == Role::Partner)
        .collect();
    assert!(partner_users.len() >= 2, "the demo has two partner logins");
    let member_index = partner_users[0].partner.unwrap();
    let member_partner = &data.partners[member_index].name;
    // Demo rows get ids in order, from 1.
    let spare_index = (0..data.partners.len())
        .find(|i| partner_users.iter().all(|u| u.partner != Some(*i)))
        .unwrap();
    // A deal both partner callers' partners touched: the riskiest record for leaks.
    let other_index = partner_users[1].partner.unwrap();
    let touched_by = |deal: usize, partner: usize| {
        data.touchpoints
            .iter()
            .any(|t| t.deal == deal && t.partner == partner)
    };
    let shared_deal = (0..data.deals.len())
        .find(|&d| touched_by(d, member_index) && touched_by(d, other_index))
        .or_else(|| (0..data.deals.len()).find(|&d| touched_by(d, member_index)))
        .expect("a deal the member partner touched");
    let member_only_deal = (0..data.deals.len())
        .find(|&d| touched_by(d, member_index) && !touched_by(d, other_index))
        .expect("a deal only the member partner touched");
    // A won deal the member partner touched (closed before today) and one of its touchpoints,
    // and an open deal.
    let today = Utc::now().date_naive();
    let won_deal = (0..data.deals.len())
        .find(|&d| {
            let deal = &data.deals[d];
            deal.stage == DealStage::Won
                && deal.closed_at.is_some_and(|at| at.date_naive() < today)
                && data.touchpoints.iter().filter(|t| t.deal == d).count() > 1
                && touched_by(d, member_index)
        })
        .expect("a won deal");
    let won_touchpoint = data
        .touchpoints
        .iter()
        .position(|t| t.deal == won_deal)
        .unwrap();
    let open_deal = (0..data.deals.len())
        .find(|&d| data.deals[d].stage == DealStage::Open)
        .expect("an open deal");
    let other_currency = if data.deals[won_deal].amount.currency().code() == "EUR" {
        "USD"
    } else {
        "EUR"
    };
    let paid_payout = data
        .payouts
        .iter()
        .position(|p| p.status == partner_attribution::domain::payout::PayoutStatus::Paid)
        .expect("a paid payout");
    let member_payout = data
        .payouts
        .iter()
        .position(|p| p.partner == member_index)
        .expect("a payout of the member partner");
    // An open dispute of the member partner, on that payout.
    let member_dispute = {
        use backend::entities::disputes;
        use sea_orm::{ActiveModelTrait, Set};
        disputes::ActiveModel {
            organization_id: Set(1),
            partner_id: Set(member_index as i64 + 1),
            deal_id: Set(Some(data.payouts[member_payout].deal as i64 + 1)),
            payout_id: Set(Some(member_payout as i64 + 1)),
            reason: Set("The split looks wrong.".into()),
            status: Set(DisputeStatus::Open.into()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap()
        .id
    };
    // A registration of the member partner, already rejected: deciding it again is refused.
    let member_registration = {
        use backend::entities::deal_registrations;
        use sea_orm::{ActiveModelTrait, Set};
        deal_registrations::ActiveModel {
            organization_id: Set(1),
            partner_id: Set(member_index as i64 + 1),
            account_name: Set("Access Table Ltd".into()),
            account_key: Set("access table".into()),
            contact_name: Set("Ada Access".into()),
            contact_email: Set("ada@access.example".into()),
            estimated_amount_minor: Set(100_000),
            currency: Set(Currency::USD.into()),
            expected_close_on: Set(today + chrono::Days::new(30)),
            status: Set(RegistrationStatus::Rejected.into()),
            rejected_reason: Set(Some("Already in our pipeline.".into())),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .unwrap()
        .id
    };
    let placeholders = vec![
        ("{member_registration}", member_registration.to_string()),
        ("{target_user}", target_user.to_string()),
        ("{member_partner}", (member_index + 1).to_string()),
        ("{spare_partner}", (spare_index + 1).to_string()),
        ("{shared_deal}", (shared_deal + 1).to_string()),
        ("{member_only_deal}", (member_only_deal + 1).to_string()),
        ("{won_deal}", (won_deal + 1).to_string()),
        ("{won_touchpoint}", (won_touchpoint + 1).to_string()),
        ("{open_deal}", (open_deal + 1).to_string()),
        ("{other_currency}", other_currency.to_owned()),
        ("{today}", today.to_string()),
        ("{paid_payout}", (paid_payout + 1).to_string()),
        ("{member_dispute}", member_dispute.to_string()),
        ("{member_payout}", (member_payout + 1).to_string()),
    ];

    let mut clients = vec![
        (Caller::Nobody, app.browser()),
        (Caller::OtherOrganization, other),
        (
            Caller::OtherPartner,
            app.signed_in(&partner_users[1].email, demo::DEMO_PASSWORD)
                .await,
        ),
    ];
    for (role, email) in [
        (Role::Admin, "admin@northwind.example"),
        (Role::PartnerManager, "manager@northwind.example"),
        (Role::Finance, "finance@northwind.example"),
        (Role::Executive, "exec@northwind.example"),
        (Role::Partner, partner_users[0].email.as_str()),
    ] {
        clients.push((
            Caller::Member(role),
            app.signed_in(email, demo::DEMO_PASSWORD).await,
        ));
    }
    Fixture {
        app,
        _db: test_db,
        member_partner: member_partner.clone(),
        placeholders,
        clients,
    }
}

/// The status a call must answer with.
fn expected(endpoint: &Endpoint, caller: Caller) -> u16 {
    let (action, resource, portal) = match endpoint.gate {
        Gate::Public(status) => return status,
        Gate::Role(action, resource) => (action, resource, false),
        Gate::RoleOrPortal(action, resource) => (action, resource, true),
    };
    let role = match caller {
        Caller::Nobody => return 401,
        Caller::OtherOrganization => Role::Admin,
        Caller::OtherPartner => Role::Partner,
        Caller::Member(role) => role,
    };
    let through_portal = portal && role == Role::Partner && can(role, action, Resource::Portal);
    if !can(role, action, resource) && !through_portal {
        return 403;
    }
    let outsider = matches!(caller, Caller::OtherOrganization | Caller::OtherPartner);
    if outsider && endpoint.target == Target::OtherTenantRecord {
        404
    } else {
        endpoint.allowed
    }
}

/// Names from the organization under test that no outsider may ever read.
const ORGANIZATION_SECRETS: &[&str] = &["Northwind", "northwind.example"];

async fn every_endpoint_answers_as_the_table_says(test_db: common::TestDb) {
    let fixture = fixture(test_db).await;
    let app = &fixture.app;

    // The table covers exactly the server functions the app registers.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    let listed: BTreeSet<String> = SERVER_FUNCTIONS.iter().map(|e| e.path.to_owned()).collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "server functions missing from the access table in tests/integration/access.rs: {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(stale.is_empty(), "no longer registered: {stale:?}");

    let mut failures = Vec::new();
    for endpoint in SERVER_FUNCTIONS {
        let mut used = false;
        for (caller, client) in &fixture.clients {
            let form = fixture.form_of(endpoint);
            let response = if endpoint.json {
                let body: serde_json::Map<String, serde_json::Value> = form
                    .iter()
                    .map(|&(k, v)| {
                        let value = serde_json::from_str(v)
                            .ok()
                            .filter(|v: &serde_json::Value| v.is_object() || v.is_number())
                            .unwrap_or_else(|| serde_json::Value::from(v));
                        (k.to_owned(), value)
                    })
                    .collect();
                client
                    .post(app.url(endpoint.path))
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            } else {
                app.call(client, endpoint.path, &form).await
            };
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            let mut want = expected(endpoint, *caller);
            if endpoint.once && want == 200 {
                if used {
                    want = 404;
                }
                used |= status == 200;
            }
            if status != want {
                failures.push(format!(
                    "{} as {caller:?}: {status}, expected {want}: {body}",
                    endpoint.path
                ));
            }
            // Demo logins are public by design (demo mode only), so they name the demo company.
            let outsider = matches!(caller, Caller::OtherOrganization | Caller::OtherPartner);
            if outsider && endpoint.path != "/api/auth/demo-logins" {
                // A partner user of the same organization may read its name, not another
                // partner's.
                let secrets: Vec<&str> = match caller {
                    Caller::OtherPartner => vec![fixture.member_partner.as_str()],
                    _ => ORGANIZATION_SECRETS.to_vec(),
                };
                for secret in secrets {
                    if body.contains(secret) {
                        failures.push(format!(
                            "{} as {caller:?} leaked \"{secret}\": {body}",
                            endpoint.path
                        ));
                    }
                }
            }
        }
    }
    for (path, status) in API_ROUTES {
        for (caller, client) in &fixture.clients {
            let got = client.get(app.url(path)).send().await.unwrap().status();
            if got.as_u16() != *status {
                failures.push(format!("GET {path} as {caller:?}: {got}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
on_both_databases!(
    every_server_function_enforces_the_role_matrix,
    every_endpoint_answers_as_the_table_says
);

async fn every_page_answers_as_the_table_says(test_db: common::TestDb) {
    use partner_attribution::app::App;
    let fixture = fixture(test_db).await;
    let app = &fixture.app;

    let routes: BTreeSet<String> = leptos_axum::generate_route_list(App)
        .into_iter()
        .map(|route| route.path().to_owned())
        .collect();
    let listed: BTreeSet<String> = PAGES
        .iter()
        .map(|(p, _)| *p)
        .chain(ALIASES.iter().map(|(p, _)| *p))
        .map(str::to_owned)
        .collect();
    let missing: Vec<_> = routes.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "pages missing from the access table in tests/integration/access.rs: {missing:?}"
    );

    let mut failures = Vec::new();
    // Aliases send everyone to the page they name, which then applies its own rule.
    for (alias, target) in ALIASES {
        for (caller, client) in &fixture.clients {
            let response = client
                .get(app.url(alias))
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
            let location = response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap());
            if response.status() != StatusCode::FOUND || location != Some(*target) {
                failures.push(format!(
                    "{alias} as {caller:?}: {} to {location:?}",
                    response.status()
                ));
            }
        }
    }
    for (path, resource) in PAGES {
        let id = if path.starts_with("/deals") {
            &fixture.placeholders[3].1
        } else {
            &fixture.placeholders[1].1
        };
        let url = path
            .replace("{token}", "some-token")
            .replace("{kind}", "hubspot")
            .replace("{id}", id);
        for (caller, client) in &fixture.clients {
            let response = client
                .get(app.url(&url))
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
            let status = response.status();
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let role = match caller {
                Caller::Nobody => None,
                Caller::OtherOrganization => Some(Role::Admin),
                Caller::OtherPartner => Some(Role::Partner),
                Caller::Member(role) => Some(*role),
            };
            let ok = match (resource, role) {
                (None, None) => status == StatusCode::OK,
                // Auth pages send signed-in users on to their home.
                (None, Some(_)) => {
                    status == StatusCode::OK
                        || (status == StatusCode::FOUND && !location.starts_with("/sign-in"))
                }
                (Some(_), None) => {
                    status == StatusCode::FOUND && location.starts_with("/sign-in?next=")
                }
                (Some((action, resource)), Some(role)) if can(role, *action, *resource) => {
                    status == StatusCode::OK
                }
                // `/` sends roles without a dashboard to their own home instead of refusing.
                (Some((_, Resource::Dashboard)), Some(role)) => {
                    status == StatusCode::FOUND
                        && location == partner_attribution::domain::access::home(role)
                }
                (Some(_), Some(_)) => status == StatusCode::FORBIDDEN,
            };
            if !ok {
                failures.push(format!(
                    "GET {url} as {caller:?}: {status} (location {location:?})"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
on_both_databases!(
    every_page_enforces_the_role_matrix,
    every_page_answers_as_the_table_says
);

/// `application/x-www-form-urlencoded` spelling of `text`.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Argument names the server functions take that the access table leaves out (list filters,
/// sorts, pages, periods): each gets the garbage too, so a bad value for them is tried as well.
const COMMON_ARGUMENTS: &[&str] = &[
    "id",
    "page",
    "sort",
    "descending",
    "period",
    "model",
    "ranking",
    "partner_id",
    "deal_id",
    "status",
    "stage",
    "tier",
    "partner_type",
    "search",
    "from",
    "to",
    "kind",
    "mode",
    "outcome",
    "query[search]",
    "query[stage]",
    "query[partner_id]",
    "query[min_amount]",
    "query[max_amount]",
    "query[close_from]",
    "query[close_to]",
    "query[from]",
    "query[to]",
    "query[status]",
    "filter[search]",
    "filter[from]",
    "filter[to]",
    "filter[status]",
    "filter[partner_id]",
];

/// The arguments of the server functions that the table leaves out and that arrive as text the
/// use case reads itself (searches, amounts and dates of list filters).
const TEXT_ARGUMENTS: &[&str] = &[
    "search",
    "period",
    "query[search]",
    "query[min_amount]",
    "query[max_amount]",
    "query[close_from]",
    "query[close_to]",
    "filter[search]",
];

/// Every registered server function, sent bodies that are not what it takes — nothing, bad
/// percent-encoding, invalid UTF-8, broken JSON, impossible dates, unknown values, numbers that
/// are not numbers, 60,000-character strings, a body over the limit — as an administrator and
/// as a partner user: each answer is a 4xx (413 for the oversized body), never a server error.
async fn malformed_requests_are_refused_as_such(test_db: common::TestDb) {
    let fixture = fixture(test_db).await;
    let app = &fixture.app;
    let client_of = |wanted: Caller| {
        fixture
            .clients
            .iter()
            .find(|(caller, _)| *caller == wanted)
            .map(|(_, client)| client.clone())
            .unwrap()
    };
    let callers = [
        (
            Caller::Member(Role::Admin),
            client_of(Caller::Member(Role::Admin)),
        ),
        (
            Caller::Member(Role::Partner),
            client_of(Caller::Member(Role::Partner)),
        ),
    ];
    let long = "x%".repeat(30_000);
    let garbage = [
        "bogus",
        "-1",
        "1e400",
        "2025-02-30",
        "2025-13-01",
        "99999999999999999999999",
        "92233720368547758.07",
    ];
    // Just over the 2 MiB every request but a file upload is held to.
    let too_large = "a=".to_owned() + &"x".repeat(2 * 1024 * 1024);
    let failures = std::cell::RefCell::new(Vec::new());
    let unreadable = std::cell::Cell::new(0usize);
    let mut sent = 0usize;
    let started = std::time::Instant::now();
    let record = |(what, body, status, text): (String, Vec<u8>, StatusCode, String)| {
        unreadable.set(unreadable.get() + usize::from(status == StatusCode::BAD_REQUEST));
        if status.is_server_error() {
            let shown: String = String::from_utf8_lossy(&body).chars().take(120).collect();
            failures
                .borrow_mut()
                .push(format!("{what} {shown:?}: {status} {text}"));
        }
    };
    let paths: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .filter(|path| *path != "/api/auth/sign-out")
        .collect();
    for path in paths {
        let table_form: Vec<&str> = SERVER_FUNCTIONS
            .iter()
            .find(|e| e.path == path)
            .map(|e| e.form.iter().map(|&(k, _)| k).collect())
            .unwrap_or_default();
        let names: Vec<&str> = table_form
            .iter()
            .copied()
            .chain(COMMON_ARGUMENTS.iter().copied())
            .collect();
        let mut bodies: Vec<(&str, Vec<u8>)> = vec![
            ("application/x-www-form-urlencoded", Vec::new()),
            ("application/x-www-form-urlencoded", b"%ZZ=%&id=%".to_vec()),
            (
                "application/x-www-form-urlencoded",
                b"id=\xff\xfe&page=\xc3".to_vec(),
            ),
            ("application/json", b"{\"id\": ".to_vec()),
            ("application/json", b"[1, 2, 3]".to_vec()),
        ];
        // One argument at a time, the others as the table sends them (so the call gets past
        // decoding and the value reaches the use case): text no list or form is built for.
        let valid: Vec<(&str, &str)> = SERVER_FUNCTIONS
            .iter()
            .find(|e| e.path == path)
            .map(|e| fixture.form_of(e))
            .unwrap_or_default();
        let text_arguments = table_form
            .iter()
            .copied()
            .chain(TEXT_ARGUMENTS.iter().copied());
        for name in text_arguments {
            for value in [long.as_str(), "2025-02-30"] {
                let encoded: Vec<String> = valid
                    .iter()
                    .filter(|(k, _)| *k != name)
                    .copied()
                    .chain([(name, value)])
                    .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
                    .collect();
                bodies.push((
                    "application/x-www-form-urlencoded",
                    encoded.join("&").into_bytes(),
                ));
            }
        }
        for value in garbage {
            let form: Vec<(&str, &str)> = names.iter().map(|&name| (name, value)).collect();
            let encoded: Vec<String> = form
                .iter()
                .map(|(name, value)| format!("{}={}", percent(name), percent(value)))
                .collect();
            bodies.push((
                "application/x-www-form-urlencoded",
                encoded.join("&").into_bytes(),
            ));
        }
        for (caller, client) in &callers {
            // A few at a time: the server answers on both cores.
            let mut calls = tokio::task::JoinSet::new();
            for (content_type, body) in bodies.iter().cloned() {
                sent += 1;
                let request = client
                    .post(app.url(path))
                    .header("content-type", content_type)
                    .body(body.clone());
                let what = format!("{path} as {caller:?} with {content_type}");
                calls.spawn(async move {
                    let response = request.send().await.unwrap();
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    (what, body, status, text)
                });
                if calls.len() >= 4 {
                    record(calls.join_next().await.unwrap().unwrap());
                }
            }
            while let Some(answer) = calls.join_next().await {
                record(answer.unwrap());
            }
            if *caller != Caller::Member(Role::Admin) {
                continue;
            }
            let response = client
                .post(app.url(path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(too_large.clone())
                .send()
                .await
                .unwrap();
            if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
                failures.borrow_mut().push(format!(
                    "{path} as {caller:?} over 2 MiB: {}",
                    response.status()
                ));
            }
        }
    }
    eprintln!("{sent} malformed requests in {:?}", started.elapsed());
    assert!(sent > 1_000, "{sent} requests");
    // The bodies reach the decoder: most functions cannot read them.
    let unreadable = unreadable.get();
    assert!(
        unreadable > sent / 10,
        "{unreadable} of {sent} answered 400"
    );
    let failures = failures.into_inner();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
on_both_databases!(
    every_server_function_refuses_malformed_input_with_a_4xx,
    malformed_requests_are_refused_as_such
);
