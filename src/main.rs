//! The server binary: `serve` (the default) runs the web app; `seed` loads demo data;
//! `migrate` brings the schema up to date and exits; `backup` copies the database.

use std::path::PathBuf;
use std::process::ExitCode;

use backend::crm::{Crm, vault::Vault};
use backend::{analyst, database, demo};
use clap::{Parser, Subcommand};
use partner_attribution::domain::attribution::{AttributionModel, ModelSettings};
use partner_attribution::server::config::Config;
use partner_attribution::server::state::AppState;
use partner_attribution::server::{http, telemetry};

#[derive(Parser)]
#[command(
    name = "partner-attribution",
    version,
    about = "Partner attribution, commissions and payouts"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (the default when no command is given).
    Serve {
        /// Load the demo company first when the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Load a demo company into an empty database; scales for benchmarks (`--deals 100000`).
    Seed {
        /// Number of deals (default from Leptos.toml).
        #[arg(long)]
        deals: Option<usize>,
        /// Random seed: the same seed on the same day makes the same company.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Create a REST API key and print it (shown this once; revoke it under Settings → API keys).
    ApiKey {
        /// The organization's id (1 is the first, such as the demo company).
        #[arg(long, default_value_t = 1)]
        organization: i64,
        #[arg(long)]
        name: String,
        /// read or write
        #[arg(long, default_value = "read")]
        scope: String,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a consistent copy of the database while servers keep running: SQLite's `VACUUM
    /// INTO`, or PostgreSQL's `pg_dump` (custom format). docs/DEPLOYMENT.md says how to restore.
    Backup {
        /// The file to write; it must not exist.
        to: PathBuf,
        /// The pg_dump program, for PostgreSQL (its major version at least the server's).
        #[arg(long, default_value = "pg_dump")]
        pg_dump: PathBuf,
    },
    /// Measure the attribution engine on synthetic deals (one core).
    BenchAttribution {
        #[arg(long, default_value_t = 1_000_000)]
        deals: usize,
        #[arg(long, default_value_t = 1_000)]
        partners: i64,
        /// Also write the synthetic deals as deals.csv and touchpoints.csv into this folder.
        #[arg(long)]
        write_csv: Option<PathBuf>,
    },
    /// Attribute exported CRM data without a database: deals.csv + touchpoints.csv -> splits.csv.
    Attribute {
        /// A model name (equal_split, first_touch, last_touch, time_decay, role_based,
        /// position_based, w_shaped, full_path, j_shaped, inverse_j, shapley, markov) or "all".
        #[arg(long)]
        model: String,
        /// A model setting, repeatable: half_life_days=7, role.demo=20, w_shaped.rest=20,
        /// data_driven.fallback=role_based ...
        #[arg(long = "param", value_name = "KEY=VALUE")]
        params: Vec<String>,
        /// deal_id,amount,currency,closed_at,status (won or lost)
        #[arg(long)]
        deals: PathBuf,
        /// deal_id,partner_id,kind,occurred_at
        #[arg(long)]
        touchpoints: PathBuf,
        /// deal_id,partner_id,model,share,amount,currency,explanation
        #[arg(long)]
        out: PathBuf,
        /// Skip malformed rows (reported) instead of refusing the files.
        #[arg(long)]
        skip_invalid: bool,
    },
}

fn main() -> ExitCode {
    backend::memory::limit_arenas();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(err) => {
            eprintln!("the runtime could not start: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let cli = Cli::parse();
    // The analyst command needs no configuration, database or logging.
    if let Some(Command::Attribute {
        model,
        params,
        deals,
        touchpoints,
        out,
        skip_invalid,
    }) = cli.command
    {
        return attribute_files(&model, &params, deals, touchpoints, out, skip_invalid);
    }
    if let Some(Command::BenchAttribution {
        deals,
        partners,
        write_csv,
    }) = cli.command
    {
        if let Some(dir) = write_csv {
            let data = backend::synthetic::deals(deals, partners, 42);
            if let Err(err) = backend::synthetic::write_csv(&data, &dir) {
                eprintln!("error: cannot write {}: {err}", dir.display());
                return ExitCode::FAILURE;
            }
            eprintln!("wrote {}/deals.csv and touchpoints.csv", dir.display());
        }
        backend::bench::run(deals, partners, |m| println!("{m}"));
        if let Some(peak) = backend::bench::peak_memory_mib() {
            println!("peak memory {peak:.0} MiB");
        }
        return ExitCode::SUCCESS;
    }
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&config.log_filter);
    let result = match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Seed { deals, seed } => load_demo(config, deals, seed).await,
        Command::Attribute { .. } | Command::BenchAttribution { .. } => {
            unreachable!("handled before configuration is loaded")
        }
        Command::ApiKey {
            organization,
            name,
            scope,
        } => create_api_key(config, organization, name, scope).await,
        Command::Backup { to, pg_dump } => {
            backend::backup::write(&config.database_url, &to, &pg_dump)
                .await
                .map(|()| println!("backup written to {}", to.display()))
        }
        Command::Migrate => database::connect_and_migrate(&config.database_url)
            .await
            .map(|_| tracing::info!("database is up to date"))
            .map_err(|e| e.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config, demo: bool) -> Result<(), String> {
    if let Some(problem) = config.auth.public_url_problem() {
        return Err(problem);
    }
    if config.auth.public_url.is_empty() && !demo {
        return Err(
            "set PUBLIC_URL (or public-url in Leptos.toml) to the address users reach \
             the app at, such as https://partners.example.com: invitation and password-reset \
             links start with it"
                .into(),
        );
    }
    let mut db = database::connect_and_migrate(&config.database_url)
        .await
        .map_err(|e| format!("database {}: {e}", redact(&config.database_url)))?;
    if demo {
        let data = demo::generate(config.demo.seed, config.demo.deals, chrono::Utc::now());
        match demo::load_if_empty(&db, &data)
            .await
            .map_err(|e| e.to_string())?
        {
            Some(report) => {
                print_logins(&report);
                db = database::reopen(db, &config.database_url)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            None => tracing::info!("database already has data: demo data not loaded"),
        }
    }
    let addr = config.leptos.site_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!(
        database = %redact(&config.database_url),
        "Partner Attribution is serving http://{addr}"
    );
    // A SECRET_KEY that is not a key stops the server; a key file that cannot be made does not:
    // CRM tokens saved then need entering again after a restart, which the sync log says.
    let vault = match Vault::load(
        config.secret_key.as_deref(),
        std::path::Path::new(&config.crm.secret_key_file),
    ) {
        Ok(vault) => vault,
        Err(err) if config.secret_key.is_some() => return Err(format!("SECRET_KEY: {err}")),
        Err(err) => {
            tracing::warn!(%err, "no secret key: CRM tokens are sealed with a key of this run only; set SECRET_KEY");
            Vault::random()
        }
    };
    let state = AppState::new(config.leptos, db, config.auth, demo)
        .with_webhooks(config.webhooks)
        .with_crm(Crm::new(config.crm, vault))
        .with_metrics_token(config.metrics_token);
    http::spawn_housekeeping(&state);
    backend::jobs::spawn(state.backend.clone(), config.jobs);
    http::serve(listener, http::router(state), http::shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

async fn load_demo(config: Config, deals: Option<usize>, seed: Option<u64>) -> Result<(), String> {
    let db = database::connect_and_migrate(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let deals = deals.unwrap_or(config.demo.deals);
    let started = std::time::Instant::now();
    let data = demo::generate(seed.unwrap_or(config.demo.seed), deals, chrono::Utc::now());
    let report = demo::load(&db, &data).await.map_err(|e| e.to_string())?;
    tracing::info!(
        deals = report.deals,
        partners = report.partners,
        touchpoints = report.touchpoints,
        payouts = report.payouts,
        seconds = started.elapsed().as_secs_f32(),
        "demo data loaded"
    );
    print_logins(&report);
    Ok(())
}

fn print_logins(report: &demo::LoadReport) {
    println!(
        "\nDemo data loaded: {} partners, {} deals. Sign in with password \"{}\":",
        report.partners,
        report.deals,
        demo::DEMO_PASSWORD
    );
    for (role, email) in &report.logins {
        println!("  {role:<16} {email}");
    }
    println!();
}

/// The URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn attribute_files(
    model: &str,
    params: &[String],
    deals: PathBuf,
    touchpoints: PathBuf,
    out: PathBuf,
    skip_invalid: bool,
) -> ExitCode {
    let fail = |message: String| {
        eprintln!("error: {message}");
        ExitCode::FAILURE
    };
    let models = if model == "all" {
        AttributionModel::ALL.to_vec()
    } else {
        match model.parse() {
            Ok(model) => vec![model],
            Err(err) => return fail(format!("--model: {err}, or all")),
        }
    };
    let mut settings = ModelSettings::default();
    for param in params {
        let Some((key, value)) = param.split_once('=') else {
            return fail(format!("--param {param}: expected KEY=VALUE"));
        };
        if let Err(err) = settings.set(key.trim(), value) {
            return fail(err.to_string());
        }
    }
    let request = analyst::Request {
        models,
        settings,
        deals,
        touchpoints,
        out,
        skip_invalid,
    };
    match analyst::run(&request) {
        Ok(report) => {
            for row in &report.skipped_rows {
                eprintln!("skipped {row}");
            }
            let per_second = |n: usize| {
                n as f64 * request.models.len() as f64 / report.elapsed.as_secs_f64().max(1e-9)
            };
            eprintln!(
                "{} won and {} lost deals, {} touchpoints: {} splits written to {} in {:.2} s \
                 (reading {:.2} s; {:.0} deals/s, {:.0} touches/s); {} deals unattributed, \
                 {} touches after the close ignored",
                report.won,
                report.lost,
                report.touchpoints,
                report.splits,
                request.out.display(),
                report.elapsed.as_secs_f64(),
                report.reading.as_secs_f64(),
                per_second(report.won),
                per_second(report.touchpoints),
                report.unattributed,
                report.ignored_touches,
            );
            if let Some(peak) = backend::bench::peak_memory_mib() {
                eprintln!("peak memory {peak:.0} MiB");
            }
            ExitCode::SUCCESS
        }
        Err(err) => fail(err.to_string()),
    }
}

/// Prints a new API key of the organization, audited as made from the command line.
async fn create_api_key(
    config: Config,
    organization: i64,
    name: String,
    scope: String,
) -> Result<(), String> {
    use backend::audit::Actor;
    use backend::services::api_keys;
    use backend::tenant::Tenant;
    use partner_attribution::domain::api_key::ApiKeyForm;
    use partner_attribution::domain::ids::OrganizationId;
    let draft = ApiKeyForm { name, scope }.validate().map_err(|errors| {
        errors
            .into_iter()
            .map(|(field, message)| format!("{field}: {message}"))
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    let db = database::connect_and_migrate(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let exists = backend::repo::organizations::header(&db, OrganizationId(organization))
        .await
        .is_ok();
    if !exists {
        return Err(format!("there is no organization {organization}"));
    }
    let label = "command line".to_owned();
    let created = api_keys::issue(
        &db,
        &Tenant::system(OrganizationId(organization)),
        Actor::Named {
            user_id: None,
            label: label.clone(),
        },
        (None, label),
        &draft,
    )
    .await
    .map_err(|e| e.to_string())?;
    println!("{}", created.secret);
    Ok(())
}
