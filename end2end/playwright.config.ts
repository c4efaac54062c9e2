import { defineConfig } from "@playwright/test";
import * as path from "node:path";

// The server binary from `cargo leptos build` (debug), on its own port and a fresh SQLite file.
export const PORT = 3100;
export const FAKE_CRM_PORT = 3199;
export const DB_FILE = path.join(__dirname, ".tmp", "e2e.db");
const root = path.join(__dirname, "..");

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  timeout: 60_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [{
    // CRM addresses on loopback allowed (the fake CRM below); webhook endpoints still public only.
    command: `rm -rf .tmp && mkdir -p .tmp && sed '/^\\[partner-attribution.crm\\]/,/^\\[/ s/^allow-private-targets = false/allow-private-targets = true/' ../Leptos.toml > .tmp/Leptos.toml && ${path.join(root, "target/debug/partner-attribution")} serve --demo`,
    cwd: __dirname,
    url: `http://127.0.0.1:${PORT}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: `sqlite://${DB_FILE}?mode=rwc`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
      LEPTOS_SITE_ROOT: path.join(root, "target/site"),
      LEPTOS_CONFIG: path.join(__dirname, ".tmp", "Leptos.toml"),
      // The key sealing CRM tokens (instead of a key file in the working directory).
      SECRET_KEY: "ZTJlLW9ubHktc2VjcmV0LWtleS0zMi1ieXRlcy14eHg=",
      RUST_LOG: "warn",
    },
  }, {
    command: "node fake-crm.mjs",
    cwd: __dirname,
    url: `http://127.0.0.1:${FAKE_CRM_PORT}/healthz`,
    timeout: 30_000,
    reuseExistingServer: false,
    env: { FAKE_CRM_PORT: String(FAKE_CRM_PORT) },
  }],
});
