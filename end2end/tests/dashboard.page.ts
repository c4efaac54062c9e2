import { expect, type Locator, type Page } from "@playwright/test";

/** The workspace dashboard, as a user sees it. */
export class DashboardPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.goto("/");
    await expect(this.page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  }

  kpi(id: string): Locator {
    return this.page.getByTestId(`kpi-${id}`);
  }

  get chart(): Locator {
    return this.page.locator("#revenue-chart");
  }

  /** The client marks the chart once ECharts has drawn it, which needs a hydrated page. */
  async waitForChart() {
    await expect(this.chart).toHaveAttribute("data-rendered", "true");
  }
}
