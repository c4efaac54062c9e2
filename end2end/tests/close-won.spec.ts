import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";
import { scalar } from "./db";

test("create a partner, create a deal, add touchpoints, close it won, see attribution and commission", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "partner_manager");

  // A new partner (its own rate only applies where no commission rule covers it).
  await page.goto("/partners/new");
  await hydrated(page);
  const partnerForm = page.getByTestId("partner-form");
  await partnerForm.getByLabel("Name", { exact: true }).fill("Beacon Resale");
  await partnerForm.getByLabel("Commission rate (%)").fill("10");
  await partnerForm.getByRole("button", { name: "Add partner" }).click();
  await expect(page.getByTestId("partner-name")).toHaveText("Beacon Resale");

  // A new deal of 20,000.00 USD.
  await page.goto("/deals/new");
  await hydrated(page);
  const dealForm = page.getByTestId("deal-form");
  await dealForm.getByLabel("Deal name").fill("Contoso — platform rollout");
  await dealForm.getByLabel("Account").fill("Contoso");
  await dealForm.getByLabel("Amount").fill("20000");
  await dealForm.getByRole("button", { name: "Add deal" }).click();
  await expect(page.getByTestId("deal-name")).toHaveText("Contoso — platform rollout");
  await expect(page.getByTestId("attribution-note")).toBeVisible();

  // Two touches by the new partner, one by a demo partner.
  const other = scalar("SELECT name FROM partners WHERE status = 'active' ORDER BY id LIMIT 1");
  const touch = async (partner: string, kind: string, day: string) => {
    const form = page.getByTestId("touchpoint-form");
    // The type-ahead picker: part of the name, then the arrow keys and Enter.
    await form.getByLabel("Partner").fill(partner.slice(0, 6));
    await expect(page.getByRole("option", { name: partner, exact: true })).toBeVisible();
    await page.getByRole("option", { name: partner, exact: true }).click();
    await expect(form.getByLabel("Partner")).toHaveValue(partner);
    await form.getByLabel("Kind").selectOption(kind);
    await form.getByLabel("Day").fill(day);
    const before = await page.getByTestId("timeline").locator("li").count().catch(() => 0);
    await form.getByRole("button", { name: "Add touchpoint" }).click();
    await expect(page.getByTestId("timeline").locator("li")).toHaveCount(before + 1);
  };
  await touch("Beacon Resale", "referral", "2026-01-10");
  await touch(other, "demo", "2026-02-01");
  await touch("Beacon Resale", "proposal", "2026-03-01");
  await expect(page.getByTestId("attribution-table")).toBeVisible();

  // The last touch was a negotiation, not a proposal: edited in place.
  const last = page.getByTestId("timeline").locator("li").last();
  await last.getByRole("button", { name: "Edit this touchpoint" }).click();
  const editor = last.getByTestId("touchpoint-editor");
  await editor.getByLabel("Kind").selectOption("negotiation");
  await editor.getByLabel("Note").fill("Pricing call");
  await editor.getByRole("button", { name: "Save touchpoint" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Touchpoint updated.");
  await expect(page.getByTestId("timeline").locator("li").last()).toContainText("Negotiation");
  await expect(page.getByTestId("timeline").locator("li").last()).toContainText("Pricing call");

  await page.getByRole("button", { name: "Close as won" }).click();
  await expect(page.getByTestId("deal-stage")).toHaveText("Won");
  // Equal split is payable: Beacon has 2 of 3 touches -> $13,333.33.
  const payable = page.getByTestId("attribution-table").locator('tbody tr.payable td[data-partner="Beacon Resale"]');
  await expect(payable).toContainText("$13,333.33");
  const commissions = page.getByTestId("commissions");
  // A new partner starts in the registered tier, whose commission rule pays 5 %.
  await expect(commissions.locator("tr", { hasText: "Beacon Resale" })).toContainText("$666.67");
  await expect(commissions.locator("tr", { hasText: "Beacon Resale" }).getByTestId("commission-explanation")).toHaveText(
    "5 % of attributed revenue (Registered tier commission v1)",
  );
  await expect(commissions.locator("tr", { hasText: "Beacon Resale" })).toContainText("Pending");
  await expect(page.locator("#attribution-chart")).toHaveAttribute("data-rendered", "true");
  await expect(page.getByTestId("close-controls")).toHaveCount(0);
  expect(
    scalar("SELECT p.amount_minor FROM payouts p JOIN partners x ON x.id = p.partner_id WHERE x.name = 'Beacon Resale'"),
  ).toBe("66667");
  await expect(page.getByTestId("toasts")).toContainText("Deal closed as won.");

  // The other partner's touch goes: the won deal is re-attributed and Beacon's pending commission
  // follows (all 20,000.00 at 5 %).
  await expect(page.getByTestId("reattribution-notice")).toBeVisible();
  await page.getByTestId("timeline").locator("li", { hasText: other }).getByRole("button", { name: "Remove this touchpoint" }).click();
  await expect(page.getByTestId("timeline").locator("li")).toHaveCount(2);
  await expect(commissions.locator("tr", { hasText: "Beacon Resale" })).toContainText("$1,000.00");
  await expect(payable).toContainText("$20,000.00");

  // Re-opened: the pending commission is cancelled, with the reason next to it.
  await page.getByRole("button", { name: "Re-open…" }).click();
  await page.getByRole("button", { name: "Re-open deal" }).click();
  await expect(page.getByTestId("deal-stage")).toHaveText("Open");
  await expect(page.getByTestId("toasts")).toContainText("Deal re-opened.");
  const cancelled = page.getByTestId("commissions").locator("tr", { hasText: "Beacon Resale" });
  await expect(cancelled).toContainText("Rejected");
  await expect(cancelled).toContainText("Deal re-opened");
  await expect(page.getByTestId("close-controls")).toBeVisible();

  // The deal's history lists what just happened, newest first.
  const history = page.getByTestId("deal-history");
  await expect(history.locator("tbody tr").first()).toContainText("deal.reopened");
  await expect(history).toContainText("deal.won");
  await expect(history).toContainText("payout.cancelled");
  expect(errors).toEqual([]);
});
