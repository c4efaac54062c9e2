//! Who may do what: the role matrix, in one place.
//!
//! Every server function asks [`can`] before it reads; the navigation asks the same function to
//! decide which links to show. Tenancy is not decided here: a caller only ever reaches its own
//! organization (and a partner user only its own partner), because the server scopes every query
//! by the caller's tenant. This module decides the role question only.

use super::labels::label_enum;
use super::user::Role;

label_enum! {
    /// What a caller wants to do with a resource.
    pub enum Action ("action") {
        /// Read it.
        View => "view",
        /// Create, change or remove it.
        Edit => "edit",
        /// Approve, reject, resolve or pay: a decision with money or a partner's standing at stake.
        Approve => "approve",
        /// Download it in bulk (CSV).
        Export => "export",
    }
}

label_enum! {
    /// The areas of the product a role may or may not reach.
    pub enum Resource ("resource") {
        /// Headline numbers of the manager workspace.
        Dashboard => "dashboard",
        Partners => "partners",
        Deals => "deals",
        Touchpoints => "touchpoints",
        /// Attribution results and explanations.
        Attribution => "attribution",
        Disputes => "disputes",
        CommissionRules => "commission_rules",
        Payouts => "payouts",
        /// Executive revenue reports.
        Reports => "reports",
        /// Organization settings (attribution model, currency, fiscal year).
        Settings => "settings",
        /// Users, invitations, the outbox of one-time links.
        Users => "users",
        AuditLog => "audit_log",
        /// The partner self-service portal (always limited to the caller's own partner).
        Portal => "portal",
        /// Webhook endpoints and their delivery log.
        Webhooks => "webhooks",
        /// CSV imports of partners, deals and touchpoints (each row also needs edit on its kind).
        Imports => "imports",
        /// CRM connectors: their settings (credentials included) and syncs.
        Integrations => "integrations",
    }
}

/// Whether a signed-in user with `role` may perform `action` on `resource`.
pub fn can(role: Role, action: Action, resource: Resource) -> bool {
    use Action::*;
    use Resource::*;
    match role {
        // Everything in the workspace; the portal belongs to partner users.
        Role::Admin => resource != Portal,
        Role::PartnerManager => match resource {
            Partners | Deals | Touchpoints | Disputes => action != Export,
            Dashboard | Attribution | Reports | CommissionRules | Payouts => action == View,
            Imports => matches!(action, View | Edit),
            // Sync status and logs; the connections' credentials stay with admins.
            Integrations => action == View,
            Settings | Users | AuditLog | Portal | Webhooks => false,
        },
        Role::Finance => match resource {
            CommissionRules | Payouts => true,
            Reports => matches!(action, View | Export),
            Dashboard | Partners | Deals | Touchpoints | Attribution | Disputes | AuditLog => {
                action == View
            }
            Settings | Users | Portal | Webhooks | Imports | Integrations => false,
        },
        // Reports, and read-only the partners and deals behind their numbers (drill-down).
        Role::Executive => match resource {
            Reports => matches!(action, View | Export),
            Dashboard | Attribution | Partners | Deals | Touchpoints => action == View,
            _ => false,
        },
        // Viewing the portal, registering deals and opening disputes there.
        Role::Partner => resource == Portal && matches!(action, View | Edit),
    }
}

/// Where each role lands after signing in.
pub fn home(role: Role) -> &'static str {
    match role {
        Role::Admin | Role::PartnerManager | Role::Finance => "/",
        Role::Executive => "/reports",
        Role::Partner => "/portal",
    }
}

/// The matrix as a Markdown table: one row per resource, one column per role, the actions allowed
/// in each cell. docs/ACCESS.md carries this table and a test keeps the two identical.
pub fn matrix_markdown() -> String {
    let mut out = String::from("| Resource |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.as_str()));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(Role::ALL.len()));
    out.push('\n');
    for &resource in Resource::ALL {
        out.push_str(&format!("| {} |", resource.as_str()));
        for &role in Role::ALL {
            let allowed: Vec<&str> = Action::ALL
                .iter()
                .filter(|&&action| can(role, action, resource))
                .map(|a| a.as_str())
                .collect();
            let cell = if allowed.is_empty() {
                "—".to_owned()
            } else {
                allowed.join(", ")
            };
            out.push_str(&format!(" {cell} |"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Action::*;
    use super::Resource::*;
    use super::*;

    #[test]
    fn admin_runs_the_workspace_but_not_the_portal() {
        for &resource in Resource::ALL {
            for &action in Action::ALL {
                assert_eq!(can(Role::Admin, action, resource), resource != Portal);
            }
        }
    }

    #[test]
    fn partner_users_reach_only_the_portal() {
        for &resource in Resource::ALL {
            for &action in Action::ALL {
                let expected = resource == Portal && matches!(action, View | Edit);
                assert_eq!(
                    can(Role::Partner, action, resource),
                    expected,
                    "{action} {resource}"
                );
            }
        }
    }

    #[test]
    fn staff_never_reach_the_portal_and_only_admins_manage_users_and_settings() {
        for &role in Role::ALL.iter().filter(|r| r.is_staff()) {
            assert!(!can(role, View, Portal), "{role}");
            for resource in [Users, Settings] {
                assert_eq!(can(role, Edit, resource), role == Role::Admin, "{role}");
                assert_eq!(can(role, View, resource), role == Role::Admin, "{role}");
            }
        }
    }

    #[test]
    fn executives_only_read() {
        for &resource in Resource::ALL {
            assert!(!can(Role::Executive, Edit, resource));
            assert!(!can(Role::Executive, Approve, resource));
        }
        assert!(can(Role::Executive, View, Reports));
        assert!(can(Role::Executive, Export, Reports));
        assert!(can(Role::Executive, View, Dashboard));
        // The deals and partners behind the reports, read-only; nothing of the money workflow.
        assert!(can(Role::Executive, View, Deals));
        assert!(can(Role::Executive, View, Partners));
        assert!(!can(Role::Executive, View, Payouts));
        assert!(!can(Role::Executive, View, Disputes));
    }

    #[test]
    fn money_decisions_belong_to_finance_and_partner_decisions_to_managers() {
        assert!(can(Role::Finance, Approve, Payouts));
        assert!(can(Role::Finance, Edit, CommissionRules));
        assert!(can(Role::Finance, Export, Payouts));
        assert!(!can(Role::PartnerManager, Approve, Payouts));
        assert!(!can(Role::PartnerManager, Edit, CommissionRules));
        assert!(can(Role::PartnerManager, Edit, Deals));
        assert!(can(Role::PartnerManager, Approve, Disputes));
        assert!(!can(Role::Finance, Edit, Deals));
        assert!(!can(Role::Finance, Approve, Disputes));
    }

    #[test]
    fn every_role_can_see_its_own_home() {
        for &role in Role::ALL {
            let resource = match home(role) {
                "/" => Dashboard,
                "/reports" => Reports,
                "/portal" => Portal,
                other => panic!("unexpected home {other}"),
            };
            assert!(can(role, View, resource), "{role} cannot see its home");
        }
    }

    #[test]
    fn the_documented_matrix_is_the_one_in_code() {
        let doc = include_str!("../../../docs/ACCESS.md");
        let table = matrix_markdown();
        assert!(
            doc.contains(&table),
            "docs/ACCESS.md is out of date; its table should read:\n{table}"
        );
    }
}
