//! Runtime configuration.
//!
//! Defaults live in one place, `Leptos.toml`, which is compiled into the binary and may be
//! replaced by a file on disk (`LEPTOS_CONFIG=/path/to/Leptos.toml`, or `./Leptos.toml` when
//! present). Environment variables override both: `DATABASE_URL`, `PUBLIC_URL`, `RUST_LOG`, and every Leptos
//! setting as `LEPTOS_<NAME>` (for example `LEPTOS_SITE_ADDR=0.0.0.0:8080`).

use std::path::Path;

use leptos::config::LeptosOptions;
use serde::Deserialize;

use backend::auth::AuthSettings;
use backend::crm::CrmConfig;
use backend::database;
use backend::jobs::JobSettings;
use backend::webhooks::WebhookSettings;

/// The defaults, as shipped.
pub const EMBEDDED_LEPTOS_TOML: &str = include_str!("../../Leptos.toml");

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// A `tracing` filter directive, used when `RUST_LOG` is not set.
    pub log_filter: String,
    pub leptos: LeptosOptions,
    pub demo: DemoSettings,
    pub auth: AuthSettings,
    pub webhooks: WebhookSettings,
    pub crm: CrmConfig,
    pub jobs: JobSettings,
    /// The bearer token `/metrics` asks for: `METRICS_TOKEN`, else `metrics.token`; `None`
    /// (empty): metrics are not served.
    pub metrics_token: Option<String>,
    /// `SECRET_KEY`: the key sealing CRM credentials, overriding `crm.secret-key-file`.
    pub secret_key: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub struct DemoSettings {
    pub seed: u64,
    pub deals: usize,
}

/// The app's own section of Leptos.toml.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct AppSection {
    database_url: String,
    log: String,
    demo: DemoSettings,
    auth: AuthSettings,
    #[serde(default)]
    webhooks: WebhookSettings,
    #[serde(default)]
    crm: CrmConfig,
    #[serde(default)]
    jobs: JobSettings,
    #[serde(default)]
    metrics: MetricsSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct MetricsSection {
    #[serde(default)]
    token: String,
}

#[derive(Debug, Deserialize)]
struct FileLayout {
    #[serde(rename = "partner-attribution")]
    app: AppSection,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid settings file: {0}")]
    Parse(String),
}

impl Config {
    /// Loads the settings file (see the module docs) and applies environment overrides.
    pub fn load() -> Result<Config, ConfigError> {
        let explicit = std::env::var("LEPTOS_CONFIG").ok();
        let path = explicit.clone().or_else(|| {
            Path::new("Leptos.toml")
                .exists()
                .then(|| "Leptos.toml".to_owned())
        });
        let text = match path {
            Some(path) => std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?,
            None => EMBEDDED_LEPTOS_TOML.to_owned(),
        };
        Config::from_text(&text, |name| std::env::var(name).ok())
    }

    /// Parses a Leptos.toml text; `env` looks up overriding environment variables.
    pub fn from_text(
        text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let file: FileLayout =
            toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        // Leptos reads its own table and applies LEPTOS_* variables itself.
        let leptos = leptos::config::get_config_from_str(text)
            .map_err(|e| ConfigError::Parse(e.to_string()))?;
        Ok(Config {
            database_url: env("DATABASE_URL")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or(file.app.database_url),
            log_filter: file.app.log,
            leptos,
            demo: file.app.demo,
            auth: AuthSettings {
                public_url: env("PUBLIC_URL")
                    .filter(|v| !v.trim().is_empty())
                    .unwrap_or(file.app.auth.public_url.clone()),
                ..file.app.auth
            },
            webhooks: file.app.webhooks,
            crm: file.app.crm,
            jobs: file.app.jobs,
            metrics_token: Some(env("METRICS_TOKEN").unwrap_or(file.app.metrics.token))
                .map(|token| token.trim().to_owned())
                .filter(|token| !token.is_empty()),
            secret_key: env("SECRET_KEY").filter(|v| !v.trim().is_empty()),
        })
    }

    pub fn is_postgres(&self) -> bool {
        database::is_postgres(&self.database_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn shipped_settings_parse_with_documented_defaults() {
        let config = Config::from_text(EMBEDDED_LEPTOS_TOML, no_env).unwrap();
        assert_eq!(
            config.database_url,
            "sqlite://data/partner-attribution.db?mode=rwc"
        );
        assert_eq!(config.leptos.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.demo.deals, 600);
        assert!(!config.is_postgres());
        assert_eq!(
            config.metrics_token, None,
            "metrics are off until a token is set"
        );
    }

    #[test]
    fn the_metrics_token_comes_from_the_environment_when_set() {
        let env = |name: &str| (name == "METRICS_TOKEN").then(|| " scrape-me ".to_owned());
        let config = Config::from_text(EMBEDDED_LEPTOS_TOML, env).unwrap();
        assert_eq!(config.metrics_token.as_deref(), Some("scrape-me"));
    }

    #[test]
    fn database_url_comes_from_the_environment_when_set() {
        let env = |name: &str| (name == "DATABASE_URL").then(|| "postgres://db/pa".to_owned());
        let config = Config::from_text(EMBEDDED_LEPTOS_TOML, env).unwrap();
        assert_eq!(config.database_url, "postgres://db/pa");
        assert!(config.is_postgres());
    }

    #[test]
    fn unknown_app_settings_are_rejected() {
        let text = EMBEDDED_LEPTOS_TOML
            .replace("[partner-attribution]", "[partner-attribution]\ncolour = 1");
        assert!(Config::from_text(&text, no_env).is_err());
    }

    /// cargo-leptos reads Cargo.toml, the server reads Leptos.toml: the settings both use must agree.
    #[test]
    fn leptos_toml_agrees_with_cargo_toml() {
        let cargo: toml::Table = toml::from_str(include_str!("../../Cargo.toml")).unwrap();
        let runtime: toml::Table = toml::from_str(EMBEDDED_LEPTOS_TOML).unwrap();
        let build = &cargo["package"]["metadata"]["leptos"];
        let run = &runtime["package"]["metadata"]["leptos"];
        let shared = [
            "output-name",
            "site-root",
            "site-pkg-dir",
            "site-addr",
            "reload-port",
        ];
        for key in shared {
            assert_eq!(
                build.get(key),
                run.get(key),
                "{key} differs between Cargo.toml and Leptos.toml"
            );
            assert!(run.get(key).is_some(), "{key} missing");
        }
        assert_eq!(
            cargo["package"]["name"].as_str(),
            run["output-name"].as_str()
        );
    }
}
