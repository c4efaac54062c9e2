import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";
import { scalar } from "./db";

test("a manager disputes a won deal's attribution, reviews it and resolves it with an adjustment", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "partner_manager");
  const deal = scalar("SELECT id FROM deals WHERE stage = 'won' ORDER BY closed_at DESC, id LIMIT 1");
  const partner = scalar("SELECT name FROM partners WHERE status = 'active' ORDER BY id LIMIT 1");
  await page.goto(`/deals/${deal}`);
  await hydrated(page);

  // The reason is required: the error sits by its field.
  const opener = page.getByTestId("dispute-opener");
  await opener.locator("summary").click();
  await opener.getByLabel("For partner").fill(partner.slice(0, 6));
  await page.getByRole("option", { name: partner, exact: true }).click();
  await opener.getByRole("button", { name: "Open dispute" }).click();
  await expect(opener.locator('.field-error[data-field="reason"]')).toBeVisible();
  await opener.getByLabel("Reason").fill("They sourced this lead at the spring trade show.");
  await opener.getByRole("button", { name: "Open dispute" }).click();
  await expect(page).toHaveURL(/\/disputes\/\d+$/);
  await hydrated(page);
  const id = page.url().split("/").pop();
  await expect(page.getByTestId("dispute-status")).toHaveText("Open");
  const thread = page.getByTestId("dispute-thread");
  await expect(thread.locator(".message").first()).toContainText("spring trade show");

  // A reply, then the review.
  await page.getByLabel("Reply").fill("Checking the show's lead list.");
  await page.getByRole("button", { name: "Send reply" }).click();
  await expect(thread.locator(".message")).toHaveCount(2);
  await expect(page.getByLabel("Reply")).toHaveValue("");
  await page.getByRole("button", { name: "Start review" }).click();
  await expect(page.getByTestId("dispute-status")).toHaveText("Under review");

  // Resolving needs an adjustment; with one, a pending entry of the dispute joins the queue.
  await page.getByLabel("Answer to the partner").fill("Confirmed from the lead list: a finder's fee.");
  await page.getByRole("button", { name: "Close the dispute" }).click();
  await expect(page.locator('.field-error[data-field="adjustment"]')).toBeVisible();
  await expect(page.getByLabel("Answer to the partner")).toHaveValue("Confirmed from the lead list: a finder's fee.");
  await page.getByLabel("Adjustment", { exact: true }).fill("250");
  await page.getByRole("button", { name: "Close the dispute" }).click();
  await expect(page.getByTestId("dispute-status")).toHaveText("Resolved");
  await expect(page.getByTestId("dispute-adjustment")).toContainText("$250.00");
  await expect(page.getByTestId("reply-form")).toHaveCount(0);
  expect(
    scalar(`SELECT kind || ' ' || status || ' ' || amount_minor FROM payouts WHERE dispute_id = ${id}`),
  ).toBe("adjustment pending 25000");

  // The list shows it resolved.
  await page.goto("/disputes?status=resolved");
  await hydrated(page);
  await expect(page.getByTestId("disputes-table").locator("tr", { hasText: `#${id}` })).toContainText("Resolved");
  expect(errors).toEqual([]);
});

test("a partner user disputes a commission from its statement, follows it and replies", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "partner");
  const partner = scalar("SELECT partner_id FROM users WHERE email = 'partner@apex-cloud-partners.example'");

  // From the statement: the commission's "Dispute" opens the form; the reason is required.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Commissions" }).click();
  await expect(page).toHaveURL(/\/portal\/commissions$/);
  await hydrated(page);
  await page.getByLabel("Period", { exact: true }).selectOption("last_12_months");
  const line = page.getByTestId("statement-line").first();
  await expect(line).toBeVisible();
  await line.getByRole("link", { name: "Dispute" }).click();
  await expect(page).toHaveURL(/\/portal\/disputes\/new\?payout=\d+$/);
  await hydrated(page);
  const payout = new URL(page.url()).searchParams.get("payout");
  await expect(page.getByTestId("dispute-subject")).toHaveText(`Commission #${payout}`);
  await expect(page.getByLabel("For partner")).toHaveCount(0);
  await page.getByRole("button", { name: "Open dispute" }).click();
  await expect(page.locator('.field-error[data-field="reason"]')).toBeVisible();
  await page.getByLabel("Reason").fill("The renewal in March is missing from this payout.");
  await page.getByRole("button", { name: "Open dispute" }).click();
  await expect(page).toHaveURL(/\/portal\/disputes\/\d+$/);
  await hydrated(page);
  const id = page.url().split("/").pop();
  expect(scalar(`SELECT partner_id || ' ' || payout_id FROM disputes WHERE id = ${id}`)).toBe(`${partner} ${payout}`);
  await expect(page.getByTestId("dispute-thread").locator(".message").first()).toContainText("renewal in March");
  await expect(page.getByTestId("dispute-decision")).toHaveCount(0);
  await page.getByLabel("Reply").fill("The invoice number is INV-2291.");
  await page.getByRole("button", { name: "Send reply" }).click();
  await expect(page.getByTestId("dispute-thread").locator(".message.side-partner")).toHaveCount(2);

  // The list holds its own disputes only, with no links into the workspace.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Disputes" }).click();
  await expect(page).toHaveURL(/\/portal\/disputes$/);
  await hydrated(page);
  const rows = page.getByTestId("dispute-row");
  await expect(rows).toHaveCount(Number(scalar(`SELECT COUNT(*) FROM disputes WHERE partner_id = ${partner}`)));
  await expect(rows.filter({ hasText: `#${id}` })).toHaveCount(1);
  await expect(page.getByTestId("disputes-table").locator('a[href^="/partners/"], a[href^="/deals/"]')).toHaveCount(0);
  expect(errors).toEqual([]);
});
