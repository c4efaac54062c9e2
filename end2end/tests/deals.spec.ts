import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";
import { scalar } from "./db";

test("a manager filters the pipeline and opens a won deal's timeline and attribution", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "partner_manager");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deals" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Deals" })).toBeVisible();
  await hydrated(page);
  const total = scalar("SELECT COUNT(*) FROM deals");
  await expect(page.getByTestId("deals-range")).toHaveText(`1–25 of ${total}`);

  const won = scalar("SELECT COUNT(*) FROM deals WHERE stage = 'won'");
  await page.getByLabel("Stage").selectOption("won");
  await expect(page.getByTestId("deals-range")).toContainText(`of ${won}`);
  await expect(page).toHaveURL(/stage=won/);

  // One partner's won deals, chosen by typing part of its name and pressing Enter.
  const partner = scalar("SELECT name FROM partners ORDER BY id LIMIT 1");
  const partnerId = scalar(`SELECT id FROM partners WHERE name = '${partner.replace(/'/g, "''")}'`);
  const theirs = scalar(
    `SELECT COUNT(DISTINCT d.id) FROM deals d JOIN touchpoints t ON t.deal_id = d.id WHERE d.stage = 'won' AND t.partner_id = ${partnerId}`,
  );
  const picker = page.getByLabel("Partner", { exact: true });
  await picker.fill(partner);
  await expect(page.getByRole("option", { name: partner, exact: true })).toBeVisible();
  await picker.press("Enter");
  await expect(page).toHaveURL(new RegExp(`partner=${partnerId}`));
  await expect(page.getByTestId("partner-filter")).toContainText(partner);
  await expect(page.getByTestId("deals-range")).toContainText(`of ${theirs}`);
  await page.getByRole("button", { name: "Show every partner's deals" }).click();
  await expect(page.getByTestId("deals-range")).toContainText(`of ${won}`);

  // A won deal with touchpoints from two partners.
  const id = scalar(
    "SELECT deal_id FROM touchpoints t JOIN deals d ON d.id = t.deal_id WHERE d.stage = 'won' " +
      "GROUP BY deal_id HAVING COUNT(DISTINCT partner_id) >= 2 ORDER BY deal_id LIMIT 1",
  );
  const name = scalar(`SELECT name FROM deals WHERE id = ${id}`);
  await page.goto(`/deals/${id}`);
  await expect(page.getByTestId("deal-name")).toHaveText(name);
  const touches = Number(scalar(`SELECT COUNT(*) FROM touchpoints WHERE deal_id = ${id}`));
  await expect(page.getByTestId("timeline").locator("li")).toHaveCount(touches);

  const table = page.getByTestId("attribution-table");
  // One row per rule-based model, the payable one marked.
  await expect(table.locator("tbody tr.payable th")).toContainText("Equal split");
  await expect(table.locator("tbody tr")).toHaveCount(10);
  await expect(page.locator("#attribution-chart")).toHaveAttribute("data-rendered", "true");
  await expect(page.locator("details.explanation[open]")).toContainText("Equal split");
  expect(errors).toEqual([]);
});
