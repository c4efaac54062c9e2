//! The server binary: `serve` (the default) runs the web app; `seed` loads demo data;
//! `migrate` brings the schema up to date and exits.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use partner_attribution::server::config::Config;
use partner_attribution::server::state::AppState;
use partner_attribution::server::{database, demo, http, telemetry};

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
    /// Apply pending database migrations and exit.
    Migrate,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
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
    let db = database::connect_and_migrate(&config.database_url)
        .await
        .map_err(|e| format!("database {}: {e}", redact(&config.database_url)))?;
    if demo {
        let data = demo::generate(config.demo.seed, config.demo.deals, chrono::Utc::now());
        match demo::load_if_empty(&db, &data)
            .await
            .map_err(|e| e.to_string())?
        {
            Some(report) => print_logins(&report),
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
    let state = AppState {
        leptos_options: config.leptos,
        db,
    };
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
