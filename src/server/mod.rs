//! Everything that only runs on the server: configuration, database, HTTP, demo data.

pub mod analyst;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod caller;
pub mod config;
pub mod context;
pub mod crm;
pub mod database;
pub mod demo;
pub mod entities;
pub mod exports;
pub mod http;
pub mod imports;
pub mod memory;
pub mod outbound;
pub mod repo;
pub mod report_cache;
pub mod rest;
pub mod services;
pub mod state;
pub mod synthetic;
pub mod telemetry;
pub mod tenant;
pub mod webhooks;
