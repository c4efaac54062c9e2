import { expect, test } from "@playwright/test";
import { signInAs } from "./auth.page";
import { DashboardPage } from "./dashboard.page";
import { scalar } from "./db";

const wholeDollars = (minor: number) =>
  new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 }).format(minor / 100);

test("dashboard KPIs equal what the database holds and the revenue chart draws", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "partner_manager");
  const dashboard = new DashboardPage(page);
  await dashboard.open();
  await dashboard.waitForChart();
  await expect(dashboard.chart.locator("canvas")).toHaveCount(1);

  const won = Number(scalar("SELECT COALESCE(SUM(amount_minor), 0) FROM deals WHERE stage = 'won' AND currency = 'USD'"));
  expect(won).toBeGreaterThan(0);
  const wonCard = dashboard.kpi("won-revenue");
  await expect(wonCard).toHaveAttribute("data-minor", String(won));
  await expect(wonCard.locator(".kpi-value")).toHaveText(wholeDollars(won));

  const pending = Number(scalar("SELECT COALESCE(SUM(amount_minor), 0) FROM payouts WHERE status = 'pending'"));
  await expect(dashboard.kpi("pending-payouts").locator(".kpi-value")).toHaveText(wholeDollars(pending));

  const active = scalar("SELECT COUNT(*) FROM partners WHERE status = 'active'");
  await expect(dashboard.kpi("active-partners").locator(".kpi-value")).toHaveText(active);

  expect(errors).toEqual([]);
});

test("the top navigation reaches the areas of the role", async ({ page }) => {
  await signInAs(page, "admin");
  const dashboard = new DashboardPage(page);
  await dashboard.open();
  await dashboard.waitForChart();
  await page.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await expect(page).toHaveURL(/\/admin\/users$/);
  await page.getByRole("link", { name: "Reports" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Partner revenue" })).toBeVisible();
  await page.getByRole("link", { name: "Workspace" }).click();
  await dashboard.waitForChart();
  await expect(dashboard.kpi("won-revenue")).toBeVisible();
});

test("an unknown address shows a not-found page", async ({ page }) => {
  const response = await page.goto("/nowhere");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("the layout fits a phone screen, also after the window shrinks", async ({ page }) => {
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await signInAs(page, "finance");
  const dashboard = new DashboardPage(page);

  await page.setViewportSize({ width: 390, height: 844 });
  await dashboard.open();
  await dashboard.waitForChart();
  expect(await overflow()).toBeLessThanOrEqual(0);

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.reload();
  await dashboard.waitForChart();
  await page.setViewportSize({ width: 390, height: 844 });
  await expect.poll(overflow).toBeLessThanOrEqual(0);
  const canvasWidth = await dashboard.chart.locator("canvas").evaluate((c) => c.getBoundingClientRect().width);
  expect(canvasWidth).toBeLessThanOrEqual(390);
});
