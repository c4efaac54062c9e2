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

test("a partner registers a deal, a manager approves it, and the partner finds it among its deals", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const account = `Registered Prospect ${Date.now()}`;
  await signInAs(page, "partner");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Registrations" }).click();
  await expect(page).toHaveURL(/\/portal\/registrations$/);
  await hydrated(page);
  await page.getByRole("link", { name: "Register a deal" }).click();
  await expect(page).toHaveURL(/\/portal\/registrations\/new$/);
  await hydrated(page);

  // Missing fields are named next to themselves; what was typed stays.
  await page.getByLabel("Account (company)").fill(account);
  await page.getByLabel("Contact email").fill("not-an-email");
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.locator('.field-error[data-field="contact_name"]')).toBeVisible();
  await expect(page.locator('.field-error[data-field="contact_email"]')).toBeVisible();
  await expect(page.locator('.field-error[data-field="estimated_amount"]')).toBeVisible();
  await expect(page.getByLabel("Account (company)")).toHaveValue(account);

  await page.getByLabel("Contact name").fill("Rita Registrant");
  await page.getByLabel("Contact email").fill("rita@prospect.example");
  await page.getByLabel("Estimated amount").fill("64000");
  const close = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("Expected close").fill(close);
  await page.getByLabel("Notes").fill("Evaluating three vendors; we ran the discovery workshop.");
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page).toHaveURL(/\/portal\/registrations$/);
  await hydrated(page);
  const mine = page.getByTestId("registration-row").filter({ hasText: account });
  await expect(mine.getByTestId("registration-status")).toHaveText("Pending");
  const id = scalar(`SELECT id FROM deal_registrations WHERE account_name = '${account}'`);
  expect(scalar(`SELECT estimated_amount_minor || ' ' || currency || ' ' || partner_id FROM deal_registrations WHERE id = ${id}`))
    .toBe(`6400000 USD ${scalar(`SELECT partner_id FROM users WHERE email = 'partner@apex-cloud-partners.example'`)}`);

  // The manager approves it from the queue.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await signInAs(page, "partner_manager");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deals" }).click();
  await page.getByRole("navigation", { name: "Deals" }).getByRole("link", { name: "Registrations" }).click();
  await expect(page).toHaveURL(/\/registrations$/);
  await hydrated(page);
  const queued = page.getByTestId("registration-row").filter({ hasText: account });
  await expect(queued.getByTestId("registration-status")).toHaveText("Pending");
  await queued.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByTestId("registration-row").filter({ hasText: account })).toHaveCount(0);
  await page.getByTestId("registration-tab-approved").click();
  await expect(page.getByTestId("registration-row").filter({ hasText: account }).getByTestId("registration-status")).toHaveText("Approved");
  const deal = scalar(`SELECT deal_id FROM deal_registrations WHERE id = ${id}`);
  expect(scalar(`SELECT kind FROM touchpoints WHERE deal_id = ${deal}`)).toBe("deal_registration");

  // The partner finds the deal among its own, with its registration touch.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await signInAs(page, "partner");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deals" }).click();
  await hydrated(page);
  await page.getByLabel("Search", { exact: true }).fill(account);
  const row = page.getByTestId("portal-deal-row").filter({ hasText: account });
  await expect(row).toHaveCount(1);
  await row.getByRole("link").first().click();
  await expect(page).toHaveURL(new RegExp(`/portal/deals/${deal}$`));
  await expect(page.getByTestId("portal-timeline").locator(".timeline-entry")).toHaveCount(1);
  await expect(page.getByTestId("portal-timeline")).toContainText("Deal registration");
  expect(errors).toEqual([]);
});

test("a partner's administrator keeps its payout details, shown masked", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "partner");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Profile" }).click();
  await expect(page).toHaveURL(/\/portal\/profile$/);
  await hydrated(page);
  const stored = scalar(`SELECT payout_account FROM partners WHERE id = ${PARTNER}`);
  await expect(page.getByTestId("payout-account")).toHaveText(`•••• ${stored.slice(-4)}`);
  expect(await page.locator("main").innerText()).not.toContain(stored);

  // A mistyped IBAN: the error sits by the field, and what was typed stays.
  await page.getByLabel("Account (IBAN, or the PayPal / Wise email)").fill("DE88 3704 0044 0532 0130 00");
  await page.getByRole("button", { name: "Save payout details" }).click();
  await expect(page.locator('.field-error[data-field="account"]')).toContainText("not a valid IBAN");
  await expect(page.getByLabel("Account (IBAN, or the PayPal / Wise email)")).toHaveValue("DE88 3704 0044 0532 0130 00");

  await page.getByLabel("Account (IBAN, or the PayPal / Wise email)").fill("DE89 3704 0044 0532 0130 00");
  await page.getByRole("button", { name: "Save payout details" }).click();
  await expect(page.getByTestId("payout-account")).toHaveText("•••• 3000");
  expect(scalar(`SELECT payout_account FROM partners WHERE id = ${PARTNER}`)).toBe("DE89370400440532013000");
  await expect(page.getByTestId("colleague-row").first()).toContainText("Administrator");
  expect(errors).toEqual([]);
});
