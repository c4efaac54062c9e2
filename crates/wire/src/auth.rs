//! Signing up, in and out, invitations and password resets: the signed-in user as both sides see
//! it, and where a user lands after signing in (`?next=` read as a site path only).

use domain::access::{self, Action, Resource};
use domain::ids::{OrganizationId, PartnerId, UserId};
use domain::user::Role;
use serde::{Deserialize, Serialize};

/// The signed-in user, as the browser knows it. Carries no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub organization_id: OrganizationId,
    pub organization_name: String,
    /// Set for partner users only: the partner whose data they may see.
    pub partner_id: Option<PartnerId>,
    pub partner_name: Option<String>,
}

impl SessionUser {
    /// The role matrix, asked for this user.
    pub fn can(&self, action: Action, resource: Resource) -> bool {
        access::can(self.role, action, resource)
    }

    pub fn home(&self) -> &'static str {
        access::home(self.role)
    }
}

/// One demo login per role, shown on the sign-in page when the server runs with demo data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoLogins {
    pub password: String,
    pub logins: Vec<DemoLogin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoLogin {
    pub role: Role,
    pub email: String,
    pub name: String,
}

/// What a one-time link is for, shown before the visitor chooses a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkDetails {
    pub organization_name: String,
    pub email: String,
    /// The role an invitation grants; `None` for a password reset.
    pub role: Option<Role>,
    pub partner_name: Option<String>,
}

/// Where a signed-in user goes next: `next` when it is a path inside this site, else the home
/// page of the user's role. `next` is read as a path of visible ASCII: browsers drop tabs and
/// line breaks from addresses and read `\\` as `/`, so `/\t/evil.example` would become
/// `//evil.example` (another site); such values, and anything else that is not a plain path,
/// fall back to the home page. What passes is also a valid `Location` header value.
pub fn landing_path(user: &SessionUser, next: Option<&str>) -> String {
    match next.filter(|path| is_site_path(path)) {
        Some(path) => path.to_owned(),
        None => user.home().to_owned(),
    }
}

fn is_site_path(path: &str) -> bool {
    path.len() <= 2_000
        && path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/sign-")
        && path.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> SessionUser {
        SessionUser {
            id: UserId(1),
            name: "A".into(),
            email: "a@example.com".into(),
            role,
            organization_id: OrganizationId(1),
            organization_name: "Org".into(),
            partner_id: None,
            partner_name: None,
        }
    }

    #[test]
    fn landing_stays_inside_the_site() {
        let manager = user(Role::PartnerManager);
        assert_eq!(landing_path(&manager, Some("/admin/users")), "/admin/users");
        assert_eq!(
            landing_path(&manager, Some("/partners?q=M%C3%BCller&page=2")),
            "/partners?q=M%C3%BCller&page=2"
        );
        assert_eq!(landing_path(&manager, None), "/");
        for hostile in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "evil",
            "/\t/evil.example",
            "/\r\n/evil.example",
            "/\n/evil.example",
            "\t//evil.example",
            " //evil.example",
            "/ /evil.example",
            "/caf\u{e9}",
        ] {
            assert_eq!(landing_path(&manager, Some(hostile)), "/", "{hostile}");
        }
        assert_eq!(landing_path(&user(Role::Partner), None), "/portal");
        assert_eq!(
            landing_path(&user(Role::Executive), Some("/sign-in")),
            "/reports"
        );
    }
}
