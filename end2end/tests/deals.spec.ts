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
  await expect(table.locator("thead th.payable")).toContainText("Equal split");
  await expect(table.locator("thead th")).toHaveCount(1 + 10);
  await expect(page.locator("#attribution-chart")).toHaveAttribute("data-rendered", "true");
  await expect(page.locator("details.explanation[open]")).toContainText("Equal split");
  expect(errors).toEqual([]);
});
