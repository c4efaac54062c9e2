import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";
import { scalar } from "./db";

test("finance approves a payout, then pays a batch with one reference", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "finance");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Payouts" }).click();
  await expect(page).toHaveURL(/\/payouts$/);
  await hydrated(page);

  // The tabs count what the database holds.
  const pending = Number(scalar("SELECT COUNT(*) FROM payouts WHERE status = 'pending'"));
  const approved = Number(scalar("SELECT COUNT(*) FROM payouts WHERE status = 'approved'"));
  await expect(page.getByTestId("tab-pending").locator(".status-tab-count")).toHaveText(String(pending));

  // Approve the first pending payout.
  await page.getByTestId("tab-pending").click();
  await expect(page).toHaveURL(/status=pending/);
  const rows = page.getByTestId("payout-row");
  await expect(rows.first()).toContainText("Pending");
  await rows.first().getByRole("checkbox").check();
  await expect(page.getByTestId("bulk-count")).toHaveText("1 payout picked");
  await page.getByTestId("bulk-bar").getByRole("button", { name: "Approve" }).click();
  await expect(page.getByTestId("toasts")).toContainText(/^1 approved/);
  await expect(page.getByTestId("tab-pending").locator(".status-tab-count")).toHaveText(String(pending - 1));
  expect(Number(scalar("SELECT COUNT(*) FROM payouts WHERE status = 'approved'"))).toBe(approved + 1);

  // Pay two approved payouts: the reference is required and named next to its field.
  await page.getByTestId("tab-approved").click();
  await expect(page).toHaveURL(/status=approved/);
  await expect(rows.first()).toContainText("Approved");
  const firstTwo = [rows.nth(0), rows.nth(1)];
  for (const row of firstTwo) await row.getByRole("checkbox").check();
  await expect(page.getByTestId("bulk-count")).toHaveText("2 payouts picked");
  await page.getByRole("button", { name: "Mark paid…" }).click();
  const today = new Date().toISOString().slice(0, 10);
  await expect(page.getByLabel("Paid on")).toHaveValue(today);
  await page.getByRole("button", { name: "Confirm payment" }).click();
  await expect(page.locator("#bulk-reference-error")).toHaveText("Enter the payment's reference.");
  await expect(page.getByLabel("Paid on")).toHaveValue(today);
  await page.getByLabel("Payment reference").fill("E2E-BATCH-1");
  await page.getByRole("button", { name: "Confirm payment" }).click();
  await expect(page.getByTestId("bulk-summary")).toContainText(/^2 marked paid/);
  expect(scalar("SELECT COUNT(*) FROM payouts WHERE paid_reference = 'E2E-BATCH-1' AND status = 'paid'")).toBe("2");
  expect(scalar(`SELECT COUNT(*) FROM payouts WHERE paid_reference = 'E2E-BATCH-1' AND paid_on = '${today}'`)).toBe("2");

  // The paid payouts as CSV: one row per payout, the batch's reference on its two.
  await page.getByTestId("tab-paid").click();
  await expect(page).toHaveURL(/status=paid/);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  expect(download.suggestedFilename()).toMatch(/^payouts-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync(await download.path(), "utf8").trim().split("\n");
  expect(lines[0]).toBe(
    "payout_id,partner_id,partner_name,deal_id,deal_name,kind,status,amount,currency,earned_on,approved_on,paid_on,paid_reference,rejected_reason,corrects_payout_id,note,explanation,payout_currency,payout_amount,payout_rate",
  );
  expect(lines.length - 1).toBe(Number(scalar("SELECT COUNT(*) FROM payouts WHERE status = 'paid'")));
  expect(lines.filter((l) => l.includes(",E2E-BATCH-1,")).length).toBe(2);
  expect(errors).toEqual([]);
});

test("partner earnings show paid, approved and pending by month and partner", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "partner_manager");
  await page.goto("/payouts");
  await hydrated(page);
  await page.getByRole("navigation", { name: "Payouts" }).getByRole("link", { name: "Earnings" }).click();
  await expect(page).toHaveURL(/\/payouts\/earnings$/);
  await expect(page.locator("#earnings-chart")).toHaveAttribute("data-rendered", "true");
  // This year: the paid total is what the database holds for payouts earned this year.
  await page.getByLabel("Period", { exact: true }).selectOption("this_year");
  await expect(page).toHaveURL(/period=this_year/);
  const year = new Date().getUTCFullYear();
  const paid = scalar(
    `SELECT COALESCE(SUM(CASE kind WHEN 'clawback' THEN -amount_minor ELSE amount_minor END), 0) FROM payouts ` +
      `WHERE status = 'paid' AND currency = 'USD' AND substr(created_at, 1, 4) = '${year}'`,
  );
  await expect(page.getByTestId("kpi-earned-paid")).toHaveAttribute("data-minor", paid);
  await expect(page.getByTestId("earnings-row").first()).toBeVisible();

  // The first partner's statement for the same period: its lines, and the same as CSV.
  await page.getByTestId("earnings-row").first().getByRole("link", { name: "Statement" }).click();
  await expect(page).toHaveURL(/\/payouts\/statement\?partner=\d+&period=this_year/);
  const partner = new URL(page.url()).searchParams.get("partner");
  await expect(page.getByTestId("statement")).toContainText("Commission statement");
  const entries = scalar(
    `SELECT COUNT(*) FROM payouts WHERE partner_id = ${partner} AND substr(created_at, 1, 4) = '${year}'`,
  );
  await expect(page.getByTestId("statement-line")).toHaveCount(Number(entries));
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("statement-csv").click()]);
  const csv = readFileSync(await download.path(), "utf8").trim().split("\n");
  expect(csv[0]).toBe(
    "payout_id,earned_on,deal_id,deal_name,kind,status,attributed_amount,amount,currency,paid_on,paid_reference,note,explanation,payout_currency,payout_amount,payout_rate",
  );
  expect(csv.length - 1).toBe(Number(entries));
  expect(errors).toEqual([]);
});
