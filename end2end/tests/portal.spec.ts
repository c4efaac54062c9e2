import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";
import { scalar } from "./db";

const PARTNER = "(SELECT partner_id FROM users WHERE email = 'partner@apex-cloud-partners.example')";

test("a partner sees its earnings chart, its deals and a shared deal without the other partners' names", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "partner");
  await expect(page).toHaveURL(/\/portal$/);
  await hydrated(page);

  // The overview: the organization's program, the partner, this year's earnings as the ledger
  // has them, and the chart drawn.
  await expect(page.locator(".brand")).toContainText("Northwind Cloud partner portal");
  await expect(page.getByTestId("portal-partner")).toHaveText(scalar(`SELECT name FROM partners WHERE id = ${PARTNER}`));
  const year = scalar(
    `SELECT COALESCE(SUM(CASE kind WHEN 'clawback' THEN -amount_minor ELSE amount_minor END), 0) FROM payouts
     WHERE partner_id = ${PARTNER} AND status != 'rejected' AND created_at >= strftime('%Y-01-01', 'now')`,
  );
  await expect(page.getByTestId("kpi-portal-year")).toHaveAttribute("data-minor", year);
  await expect(page.locator("#portal-earnings-chart canvas")).toBeVisible();
  await expect(page.getByTestId("portal-tier")).toContainText("attributed revenue in the last 12 months");

  // Its deals: every one it touched, and none other.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deals" }).click();
  await expect(page).toHaveURL(/\/portal\/deals$/);
  await hydrated(page);
  const touched = Number(scalar(`SELECT COUNT(DISTINCT deal_id) FROM touchpoints WHERE partner_id = ${PARTNER}`));
  await expect(page.getByTestId("portal-deals-range")).toContainText(`of ${touched}`);

  // A won deal it shares: the others are counted, not named; the timeline is its own touches.
  const shared = scalar(
    `SELECT d.id FROM deals d WHERE d.stage = 'won'
       AND EXISTS (SELECT 1 FROM touchpoints t WHERE t.deal_id = d.id AND t.partner_id = ${PARTNER})
       AND EXISTS (SELECT 1 FROM touchpoints t WHERE t.deal_id = d.id AND t.partner_id != ${PARTNER})
     ORDER BY d.closed_at DESC LIMIT 1`,
  );
  const name = scalar(`SELECT name FROM deals WHERE id = ${shared}`);
  await page.getByLabel("Search", { exact: true }).fill(name);
  const row = page.getByTestId("portal-deal-row").filter({ hasText: name }).first();
  await row.getByRole("link", { name }).click();
  await expect(page).toHaveURL(new RegExp(`/portal/deals/${shared}$`));
  await hydrated(page);
  const others = Number(
    scalar(`SELECT COUNT(DISTINCT partner_id) FROM touchpoints WHERE deal_id = ${shared} AND partner_id != ${PARTNER}`),
  );
  await expect(page.getByTestId("portal-deal-partners")).toHaveText(
    others === 1 ? "You and 1 other partner" : `You and ${others} other partners`,
  );
  const own = Number(scalar(`SELECT COUNT(*) FROM touchpoints WHERE deal_id = ${shared} AND partner_id = ${PARTNER}`));
  await expect(page.getByTestId("portal-timeline").locator(".timeline-entry")).toHaveCount(own);
  const payable = scalar("SELECT payable_model FROM organizations WHERE id = 1");
  const credit = Number(
    scalar(`SELECT amount_minor FROM attributions WHERE deal_id = ${shared} AND partner_id = ${PARTNER} AND model = '${payable}'`),
  );
  await expect(page.getByTestId("portal-deal-credit")).toContainText(
    (credit / 100).toLocaleString("en-US", { minimumFractionDigits: 2 }),
  );
  const body = await page.locator("main").innerText();
  const names = scalar(
    `SELECT group_concat(p.name, '|') FROM partners p WHERE p.id IN
       (SELECT partner_id FROM touchpoints WHERE deal_id = ${shared} AND partner_id != ${PARTNER})`,
  ).split("|");
  for (const other of names) expect(body).not.toContain(other);
  expect(errors).toEqual([]);
});
