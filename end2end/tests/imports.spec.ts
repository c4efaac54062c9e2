import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";

const PARTNERS = [
  "Partner ID,Company,Type,Tier,Commission %",
  "E2E-P1,Lakeside Referrals,referral,silver,7.5",
  "E2E-P2,Broken Row Partners,agency,diamond,5",
  "",
].join("\n");

test("a manager imports partners from CSV: mapping, preview, progress and bad rows by line", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "partner_manager");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/imports$/);
  await hydrated(page);

  const form = page.getByTestId("import-form");
  await form.getByLabel("The file holds").selectOption("partners");
  await form.getByLabel("CSV file").setInputFiles({
    name: "partners.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(PARTNERS),
  });

  // The columns are matched by name; the bad tier shows on its line before anything is written.
  const mapping = page.getByTestId("import-mapping");
  await expect(mapping.getByLabel("Name *")).toHaveValue("Company");
  await expect(mapping.getByLabel("External id")).toHaveValue("Partner ID");
  const preview = page.getByTestId("import-preview");
  await expect(preview.locator("tr", { hasText: "Broken Row Partners" })).toContainText("tier");
  await expect(form.getByRole("button", { name: "Import 2 rows" })).toBeEnabled();

  // A required field left out is refused next to its column choice.
  await mapping.getByLabel("Tier *").selectOption("");
  await form.getByRole("button", { name: "Import 2 rows" }).click();
  await expect(mapping.getByRole("alert")).toContainText("tier");
  await mapping.getByLabel("Tier *").selectOption("Tier");

  await form.getByRole("button", { name: "Import 2 rows" }).click();
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await hydrated(page);
  const progress = page.getByTestId("import-progress");
  await expect(progress.getByTestId("import-status")).toHaveText("Done", { timeout: 20_000 });
  await expect(progress.getByTestId("created-rows")).toHaveText("1");
  await expect(progress.getByTestId("failed-rows")).toHaveText("1");
  const bad = page.getByTestId("import-errors").locator("tbody tr");
  await expect(bad).toHaveCount(1);
  await expect(bad.first()).toContainText("3");
  await expect(bad.first()).toContainText("tier");
  // All bad rows download as a file.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("errors-csv").click(),
  ]);
  expect(download.suggestedFilename()).toBe("partners-errors.csv");

  // The partner is there, and the import is in the history.
  await page.goto("/partners?q=Lakeside");
  await hydrated(page);
  await expect(page.getByRole("link", { name: "Lakeside Referrals" })).toBeVisible();
  await page.goto("/imports");
  await hydrated(page);
  await expect(page.getByTestId("imports-table")).toContainText("partners.csv");
  expect(errors).toEqual([]);
});
