import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";
import { scalar } from "./db";

test("finance enters a rate with a field error first, then imports a file with a bad line, then a good one", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "finance");
  await page.goto("/payouts");
  await hydrated(page);
  await page.getByRole("navigation", { name: "Payouts" }).getByRole("link", { name: "Exchange rates" }).click();
  await expect(page).toHaveURL(/\/payouts\/rates$/);
  await hydrated(page);

  // The base currency needs no rate: said next to the field, what was typed kept.
  const form = page.getByTestId("rate-form");
  await form.getByLabel("Currency").fill("USD");
  await form.getByLabel("Rate (in USD)").fill("1.1");
  await form.getByLabel("Effective from").fill("2026-01-01");
  await form.getByRole("button", { name: "Save rate" }).click();
  await expect(form.locator('.field-error[data-field="currency"]')).toContainText("base currency");
  await expect(form.getByLabel("Rate (in USD)")).toHaveValue("1.1");
  await form.getByLabel("Currency").fill("CHF");
  await form.getByRole("button", { name: "Save rate" }).click();
  await expect(page.getByTestId("rates-table")).toContainText("1 CHF = 1.1 USD");
  expect(scalar("SELECT rate FROM fx_rates WHERE currency = 'CHF'")).toBe("1.1");

  // A file with a bad line saves nothing and names the line.
  const importer = page.getByTestId("rate-import");
  await importer.getByLabel("CSV").fill("currency,rate,effective_on\nSEK,0.095,2026-01-01\nNOK,zero,2026-01-01");
  await importer.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("import-errors")).toContainText("Line 3");
  expect(scalar("SELECT COUNT(*) FROM fx_rates WHERE currency IN ('SEK', 'NOK')")).toBe("0");
  await importer.getByLabel("CSV").fill("currency,rate,effective_on\nSEK,0.095,2026-01-01\nNOK,0.093,2026-01-01");
  await importer.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("import-result")).toHaveText("2 rates saved.");
  await expect(page.getByTestId("rates-table")).toContainText("1 NOK = 0.093 USD");
  expect(errors).toEqual([]);
});
