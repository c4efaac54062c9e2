import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";
import { FAKE_CRM_PORT } from "../playwright.config";

test("an admin connects HubSpot, runs a backfill through a rate limit and reads the sync log", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "admin");
  await page.goto("/settings/attribution");
  await hydrated(page);
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Integrations" }).click();
  await expect(page).toHaveURL(/\/settings\/integrations$/);
  const hubspot = page.locator('[data-crm="hubspot"]');
  await expect(hubspot).toContainText("Not connected");
  await hubspot.getByRole("link", { name: "Set up" }).click();
  await expect(page).toHaveURL(/\/settings\/integrations\/hubspot$/);
  await hydrated(page);

  // Switched on without a token, and a stage rule that names no stage: both refused in place.
  const form = page.getByTestId("connection-form");
  await form.getByLabel("Sync with HubSpot").check();
  await form.getByLabel("API address").fill(`http://127.0.0.1:${FAKE_CRM_PORT}`);
  await form.getByLabel("Stage mapping").fill("closedwon = won\nclosedlost = gone");
  await form.getByRole("button", { name: "Save connection" }).click();
  await expect(form.locator('.field-error[data-field="token"]')).toContainText("token");
  await expect(form.locator('.field-error[data-field="stage_rules"]')).toContainText("gone");
  await expect(form.getByLabel("API address")).toHaveValue(`http://127.0.0.1:${FAKE_CRM_PORT}`);

  await form.getByLabel("Stage mapping").fill("closedwon = won\nclosedlost = lost");
  await form.getByLabel("Private app access token").fill("pat-e2e-token");
  await form.getByLabel("Attribution field").fill("partner_attribution");
  await form.getByLabel("Partner association label").fill("Referral partner");
  await form.getByRole("button", { name: "Save connection" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Connection saved");
  // The token is kept on the server only.
  await expect(form.getByLabel("Private app access token")).toHaveValue("");
  await expect(form.getByLabel("Private app access token")).toHaveAttribute("placeholder", /Saved/);
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("toasts")).toContainText("HubSpot answered");

  // The backfill reads two pages, the second after HubSpot asked to wait.
  await page.getByRole("button", { name: "Full backfill" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Sync queued");
  const panel = page.getByTestId("sync-panel");
  await expect(panel.getByTestId("sync-status")).toHaveText("Done", { timeout: 30_000 });
  await expect(panel.getByTestId("sync-created")).toHaveText("3");
  await expect(panel.getByTestId("sync-failed")).toHaveText("2");
  await expect(page.getByTestId("syncs-table").locator("tbody tr")).toHaveCount(1);

  // The log names each record it could not take.
  await panel.getByRole("link", { name: "Sync log" }).click();
  await expect(page).toHaveURL(/\/settings\/integrations\/hubspot\/syncs\/\d+$/);
  const log = page.getByTestId("sync-errors");
  await expect(log.locator("tr", { hasText: "5104" })).toContainText("not an amount");
  await expect(log.locator("tr", { hasText: "5103" })).toContainText("Nobody Consulting");

  // The won deal is in the pipeline, credited to the partner HubSpot named.
  await page.goto("/deals?q=Globex+platform");
  await hydrated(page);
  await page.getByRole("link", { name: "Globex platform rollout" }).click();
  await expect(page.locator("main")).toContainText("Apex Cloud Partners");
  await expect(page.locator("main")).toContainText("Globex Corporation");

  // The pilot's partner is the company HubSpot associates with it under the partner label.
  await page.goto("/deals?q=Initech+analytics");
  await hydrated(page);
  await page.getByRole("link", { name: "Initech analytics pilot" }).click();
  await expect(page.locator("main")).toContainText("Cobalt Digital");

  // Disconnecting asks twice, then forgets the connection; the synced deals stay.
  await page.goto("/settings/integrations/hubspot");
  await hydrated(page);
  await page.getByRole("button", { name: "Disconnect HubSpot…" }).click();
  await page.getByRole("group", { name: "Disconnect" }).getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByTestId("toasts")).toContainText("HubSpot disconnected");
  await expect(page).toHaveURL(/\/settings\/integrations$/);
  await expect(page.locator('[data-crm="hubspot"]')).toContainText("Not connected");
  await page.goto("/deals?q=Globex+platform");
  await expect(page.getByRole("link", { name: "Globex platform rollout" })).toBeVisible();
  expect(errors).toEqual([]);
});
