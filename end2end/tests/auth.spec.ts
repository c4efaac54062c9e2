import { expect, test } from "@playwright/test";
import { DEMO, DEMO_PASSWORD, type DemoRole, SignInPage, hydrated, signInAs } from "./auth.page";
import { scalar } from "./db";

const homes: Record<DemoRole, { path: RegExp; heading: string; nav: string[] }> = {
  admin: { path: /\/$/, heading: "Dashboard", nav: ["Workspace", "Partners", "Deals", "Payouts", "Activity", "Reports", "Users", "Settings"] },
  partner_manager: { path: /\/$/, heading: "Dashboard", nav: ["Workspace", "Partners", "Deals", "Payouts", "Reports"] },
  finance: { path: /\/$/, heading: "Dashboard", nav: ["Workspace", "Partners", "Deals", "Payouts", "Activity", "Reports"] },
  executive: { path: /\/reports$/, heading: "Partner revenue", nav: ["Workspace", "Partners", "Deals", "Reports"] },
  partner: { path: /\/portal$/, heading: "Apex Cloud Partners", nav: ["Overview", "Deals", "Registrations", "Commissions", "Profile"] },
};
const allLinks = ["Workspace", "Partners", "Deals", "Payouts", "Activity", "Overview", "Registrations", "Commissions", "Profile", "Reports", "Users", "Settings"];

for (const role of Object.keys(homes) as DemoRole[]) {
  test(`${role} signs in to its own home and sees only its links`, async ({ page }) => {
    const cspViolations: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on("pageerror", (e) => cspViolations.push(e.message));
    await signInAs(page, role);
    const home = homes[role];
    await expect(page).toHaveURL(home.path);
    await expect(page.getByRole("heading", { level: 1, name: home.heading })).toBeVisible();
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const link of allLinks) {
      await expect(nav.getByRole("link", { name: link, exact: true })).toHaveCount(home.nav.includes(link) ? 1 : 0);
    }
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in\?next=/);
    expect(cspViolations, "no script errors, no CSP violations").toEqual([]);
  });
}

test("a partner user cannot reach manager pages by URL", async ({ page }) => {
  await signInAs(page, "partner");
  const users = await page.goto("/admin/users");
  expect(users?.status()).toBe(403);
  await expect(page.getByTestId("forbidden")).toBeVisible();
  await expect(page.getByTestId("users-table")).toHaveCount(0);
  await page.goto("/");
  await expect(page).toHaveURL(/\/portal$/);
  const summary = await page.request.post("/api/dashboard/summary", { form: {} });
  expect(summary.status()).toBe(403);
});

test("a signed-out visitor signs in and returns to the page asked for", async ({ page }) => {
  await page.goto("/admin/users");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fadmin%2Fusers|\/sign-in\?next=\/admin\/users/);
  await hydrated(page);
  await new SignInPage(page).submit(DEMO.admin, DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.getByTestId("users-table")).toBeVisible();
});

test("a wrong password is refused next to the field and the email is kept", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.submit(DEMO.finance, "not-the-password");
  await expect(signIn.fieldError("password")).toHaveText("The email or password is incorrect.");
  await expect(page.getByLabel("Email")).toHaveValue(DEMO.finance);
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("demo logins are listed and fill the form", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  const row = page.getByTestId("demo-logins").locator('tr[data-role="executive"]');
  await row.getByRole("button", { name: "Use" }).click();
  await expect(page.getByLabel("Email")).toHaveValue(DEMO.executive);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/reports$/);
});

test("an admin invites a finance user who joins through the one-time link", async ({ page, browser }) => {
  await signInAs(page, "admin");
  await page.goto("/admin/users");
  await hydrated(page);
  const form = page.getByTestId("invite-form");
  await form.getByLabel("Email").fill("new.finance@northwind.example");
  await form.getByLabel("Role").selectOption("finance");
  await form.getByRole("button", { name: "Send invitation" }).click();
  const link = await page.getByTestId("invitation-link").locator("code").innerText();
  expect(link).toMatch(/\/invitation\/[A-Za-z0-9_-]{43}$/);

  const visitor = await browser.newPage();
  await visitor.goto(link);
  await hydrated(visitor);
  await expect(visitor.getByTestId("invitation-summary")).toContainText("new.finance@northwind.example");
  await visitor.getByLabel("Your name").fill("Nia Numbers");
  await visitor.getByLabel("Password").fill("password123");
  await expect(visitor.getByRole("button", { name: "Join and sign in" })).toBeEnabled();
  await visitor.getByRole("button", { name: "Join and sign in" }).click();
  await expect(visitor.locator('.field-error[data-field="password"]')).toContainText("too easy to guess");
  await visitor.getByLabel("Password").fill("ledger-harbor-violet-82");
  await visitor.getByRole("button", { name: "Join and sign in" }).click();
  await expect(visitor.getByTestId("user-menu")).toContainText("Nia Numbers");
  await expect(visitor.getByTestId("user-menu")).toContainText("Finance");
  await expect(visitor).toHaveURL(/\/$/);
  expect(scalar("SELECT role FROM users WHERE email = 'new.finance@northwind.example'")).toBe("finance");

  // The link worked once.
  await visitor.goto(link);
  await expect(visitor).toHaveURL(/\/$/);
  const again = await browser.newPage();
  await again.goto(link);
  await expect(again.getByRole("alert")).toContainText("already been used or has expired");

  await page.goto("/admin/outbox");
  await expect(page.getByTestId("outbox").locator("li").first()).toContainText("Link used");
});
