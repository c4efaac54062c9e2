import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";
import { scalar } from "./db";

// Dated far ahead, so the rule changes no commission another test expects.
const START = "2099-01-01";

test("finance previews a tiered rule, saves it, and saves a new version", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "finance");
  await page.goto("/payouts");
  await hydrated(page);
  await page.getByRole("navigation", { name: "Payouts" }).getByRole("link", { name: "Commission rules" }).click();
  await expect(page).toHaveURL(/\/payouts\/rules$/);
  await hydrated(page);

  // Every stored rule is listed, in the order base rules win.
  const rules = Number(scalar("SELECT COUNT(DISTINCT rule_id) FROM commission_rules"));
  const table = page.getByTestId("rules-table");
  await expect(table.locator("tbody tr")).toHaveCount(rules);
  await expect(table.locator("tbody tr").first().locator("td").first()).toHaveText("1");

  // A tiered rule needs its currency: the error sits by the field and nothing typed is lost.
  await page.getByRole("link", { name: "New rule" }).click();
  await expect(page).toHaveURL(/\/payouts\/rules\/new$/);
  await hydrated(page);
  const form = page.getByTestId("rule-form");
  await form.getByLabel("Name").fill("Gold ramp (e2e)");
  await form.getByLabel("Kind").selectOption("tiered");
  await form.getByLabel("Applies to").selectOption("tier");
  await form.getByLabel("Tier").selectOption("gold");
  await form.getByLabel("Bands").fill("10 % up to 50000; 15 %");
  await form.getByLabel("First day").fill(START);
  await form.getByRole("button", { name: "Save rule" }).click();
  await expect(page.locator('.field-error[data-field="currency"]')).toContainText("currency");
  await expect(form.getByLabel("Bands")).toHaveValue("10 % up to 50000; 15 %");
  expect(scalar("SELECT COUNT(*) FROM commission_rules WHERE name = 'Gold ramp (e2e)'")).toBe("0");

  // The what-if replays last quarter as if the rule had been in force.
  await form.getByLabel("Currency").fill("USD");
  await page.getByTestId("preview-rule").click();
  const preview = page.getByTestId("rule-preview");
  await expect(preview.getByTestId("preview-summary")).toContainText("credits won in Q");
  await expect(preview).toContainText("as if in force all quarter");
  await expect(preview.getByTestId("rule-preview-table").locator("tbody tr").first()).toContainText("+");

  // Saved: its page shows version 1, scheduled.
  await form.getByRole("button", { name: "Save rule" }).click();
  await expect(page).toHaveURL(/\/payouts\/rules\/\d+$/);
  const versions = page.getByTestId("versions-table").locator("tbody tr");
  await expect(versions).toHaveCount(1);
  await expect(versions.first()).toContainText("v1");
  await expect(versions.first()).toContainText("Scheduled");
  expect(scalar("SELECT bands FROM commission_rules WHERE name = 'Gold ramp (e2e)'")).toContain("5000000");

  // A change from the same day is a new version that replaces it; the first is kept.
  await page.getByTestId("rule-form").getByLabel("Bands").fill("12 % up to 50000; 15 %");
  await page.getByRole("button", { name: "Save new version" }).click();
  await expect(versions).toHaveCount(2);
  await expect(versions.nth(0)).toContainText("12 % up to $50,000.00");
  await expect(versions.nth(1)).toContainText("Replaced");
  expect(scalar("SELECT COUNT(*) FROM commission_rules WHERE name = 'Gold ramp (e2e)'")).toBe("2");
  expect(errors).toEqual([]);
});

test("partner managers read the rules but cannot change them", async ({ page }) => {
  await signInAs(page, "partner_manager");
  await page.goto("/payouts/rules");
  await hydrated(page);
  await expect(page.getByTestId("rules-table")).toBeVisible();
  await expect(page.getByRole("link", { name: "New rule" })).toHaveCount(0);
  await page.getByTestId("rules-table").getByRole("link").first().click();
  await expect(page.getByTestId("versions-table")).toBeVisible();
  await expect(page.getByTestId("rule-form")).toHaveCount(0);
});
