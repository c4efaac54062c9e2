import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";
import { scalar } from "./db";

test("an admin previews a new payable model on last quarter's deals, fixes a bad field and saves", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings\/attribution$/);
  await hydrated(page);

  const summary = page.getByTestId("preview-summary");
  await expect(summary).toContainText(/^0 of \d+ won deals would split differently/);

  // Another payable model: the preview says what moves.
  await page.getByLabel(/^First touch/).check();
  await expect(summary).toContainText("Payable model: Equal split → First touch.");
  await expect(summary).not.toContainText(/^0 of/);
  await expect(page.getByTestId("preview-table").locator("tbody tr").first()).toBeVisible();

  // A bad half-life is named next to the field as it is typed, and what was typed stays.
  const halfLife = page.getByLabel("Half-life (days)");
  await halfLife.fill("soon");
  await expect(page.locator('[data-field="half_life_days"]')).toHaveText('"soon" is not a number.');
  await expect(halfLife).toHaveValue("soon");
  await halfLife.fill("45");
  await expect(page.locator('[data-field="half_life_days"]')).toHaveCount(0);

  // The calendar days are counted in: an unknown zone is named, a real one in any case is taken.
  const zone = page.getByLabel("Time zone");
  await expect(zone).toHaveValue("UTC");
  await zone.fill("Mars/Base");
  await expect(page.locator('[data-field="time_zone"]')).toContainText('"Mars/Base" is not a time zone');
  await expect(zone).toHaveValue("Mars/Base");
  await zone.fill("europe/berlin");
  await expect(page.locator('[data-field="time_zone"]')).toHaveCount(0);

  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Attribution settings saved.");
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel(/^First touch/)).toBeChecked();
  await expect(page.getByLabel("Half-life (days)")).toHaveValue("45");
  await expect(page.getByLabel("Time zone")).toHaveValue("Europe/Berlin");

  // Back to the defaults, so the other tests see equal split as payable.
  await page.getByRole("button", { name: "Reset to defaults" }).click();
  await expect(page.getByLabel(/^Equal split/)).toBeChecked();
  await expect(page.getByLabel("Time zone")).toHaveValue("UTC");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Attribution settings saved.");
  expect(errors).toEqual([]);
});

test("a partner manager sees the settings read-only", async ({ page }) => {
  await signInAs(page, "partner_manager");
  await page.goto("/settings/attribution");
  await hydrated(page);
  await expect(page.getByTestId("read-only")).toBeVisible();
  await expect(page.getByLabel("Half-life (days)")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save settings" })).toHaveCount(0);
});

test("an admin sets the program's tier bars, with an error next to the bar that does not rise", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "admin");
  await page.goto("/settings/attribution");
  await hydrated(page);
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Program tiers" }).click();
  await expect(page).toHaveURL(/\/settings\/program$/);
  await hydrated(page);
  await page.getByLabel("Gold from (USD)").fill("100000");
  await page.getByRole("button", { name: "Save tier bars" }).click();
  await expect(page.locator('.field-error[data-field="gold"]')).toContainText("more than Silver");
  await expect(page.getByLabel("Gold from (USD)")).toHaveValue("100000");
  await page.getByLabel("Gold from (USD)").fill("900000");
  await page.getByRole("button", { name: "Save tier bars" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Tier bars saved." })).toBeVisible();
  expect(scalar("SELECT tier_gold_from FROM organizations WHERE id = 1")).toBe("900000");
  expect(errors).toEqual([]);
});
