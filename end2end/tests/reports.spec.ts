import { expect, test, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { signInAs } from "./auth.page";
import { scalar } from "./db";

const REPORTS = [
  { link: "Partner revenue", path: /\/reports$/, chart: "#revenue-mix-chart", table: "revenue-table" },
  { link: "Top partners", path: /\/reports\/top-partners$/, chart: "#top-partners-chart", table: "top-partners-table" },
  { link: "Model comparison", path: /\/reports\/models$/, chart: "#models-chart", table: "model-partners" },
  { link: "Program ROI", path: /\/reports\/roi$/, chart: "#roi-chart", table: "roi-by-partner" },
  { link: "Pipeline and forecast", path: /\/reports\/forecast$/, chart: "#forecast-chart", table: "forecast-table" },
];

async function chartDrawn(page: Page, selector: string) {
  const chart = page.locator(selector);
  await expect(chart).toHaveAttribute("data-rendered", "true");
  await expect(chart.locator("canvas")).toHaveCount(1);
  return chart;
}

/** The first day of the month `back` months before this one, as YYYY-MM-DD (UTC). */
function monthStart(back: number) {
  const now = new Date();
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  return d.toISOString().slice(0, 10);
}

test("an executive opens every report from the sub-navigation and each draws its chart and table", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "executive");
  await expect(page).toHaveURL(/\/reports$/);
  const nav = page.getByRole("navigation", { name: "Reports" });
  for (const report of REPORTS) {
    await nav.getByRole("link", { name: report.link }).click();
    await expect(page).toHaveURL(report.path);
    await expect(page.getByRole("heading", { level: 1, name: report.link })).toBeVisible();
    await chartDrawn(page, report.chart);
    await expect(page.getByTestId(report.table).locator("tbody tr").first()).toBeVisible();
  }
  expect(errors).toEqual([]);
});

test("partner revenue adds up to the won deals partners touched, and the period picker moves it", async ({ page }) => {
  await signInAs(page, "executive");
  await page.goto("/reports");
  await chartDrawn(page, "#revenue-mix-chart");
  // Last 12 months: this month and the eleven before. Partner revenue: won deals (all in USD in
  // the demo) with a partner touch up to the win.
  const partnerWon = (from: string) =>
    Number(
      scalar(
        `SELECT COALESCE(SUM(amount_minor), 0) FROM deals d WHERE d.stage = 'won' AND d.closed_at >= '${from}' ` +
          "AND EXISTS (SELECT 1 FROM touchpoints t WHERE t.deal_id = d.id AND t.occurred_at <= d.closed_at)",
      ),
    );
  const year = partnerWon(monthStart(11));
  expect(year).toBeGreaterThan(0);
  await expect(page.getByTestId("kpi-partner-revenue")).toHaveAttribute("data-minor", String(year));

  const quarterStart = (() => {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1)).toISOString().slice(0, 10);
  })();
  await page.getByLabel("Period", { exact: true }).selectOption("this_quarter");
  await expect(page).toHaveURL(/period=this_quarter/);
  await expect(page.getByTestId("kpi-partner-revenue")).toHaveAttribute("data-minor", String(partnerWon(quarterStart)));
});

test("a chart bar opens the deals behind it", async ({ page }) => {
  await signInAs(page, "executive");
  await page.goto("/reports/top-partners");
  const chart = await chartDrawn(page, "#top-partners-chart");
  const rows = page.getByTestId("top-partners-table").locator("tbody tr");
  const bars = Math.min(await rows.count(), 15);
  const leader = await rows.first().locator("td").nth(1).innerText();
  // The first bar is the leader's, the tallest: click just above the axis, in its column.
  const box = (await chart.boundingBox())!;
  const gridLeft = 72;
  const gridRight = 16;
  const gridBottom = bars > 4 ? 130 : 64;
  const column = (box.width - gridLeft - gridRight) / bars;
  await chart.click({ position: { x: gridLeft + column / 2, y: box.height - gridBottom - 6 } });
  await expect(page).toHaveURL(/\/deals\?stage=won&from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}&partner=\d+/);
  await expect(page.getByRole("heading", { level: 1, name: "Deals" })).toBeVisible();
  const partner = new URL(page.url()).searchParams.get("partner");
  expect(scalar(`SELECT name FROM partners WHERE id = ${partner}`)).toBe(leader);
});

test("each report downloads its table as CSV", async ({ page }) => {
  await signInAs(page, "executive");
  await page.goto("/reports/roi?period=last_12_months");
  await chartDrawn(page, "#roi-chart");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("report-csv").click()]);
  expect(download.suggestedFilename()).toBe("roi-last-12-months.csv");
  const lines = readFileSync((await download.path())!, "utf8").trim().split("\n");
  expect(lines[0]).toBe("level,key,name,currency,attributed_revenue,commission,paid,revenue_per_commission,cost_percent");
  expect(lines[1]).toMatch(/^total,,All partners,USD,\d+\.\d{2},/);
  expect(lines.length).toBeGreaterThan(2);
});
