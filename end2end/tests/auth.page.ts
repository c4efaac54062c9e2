import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "demo1234";

/** One demo login per role, as `serve --demo` creates them. */
export const DEMO = {
  admin: "admin@northwind.example",
  partner_manager: "manager@northwind.example",
  finance: "finance@northwind.example",
  executive: "exec@northwind.example",
  partner: "partner@apex-cloud-partners.example",
} as const;

export type DemoRole = keyof typeof DEMO;

/** Waits until the client has taken over the server-rendered page. */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** The sign-in page, as a visitor uses it. */
export class SignInPage {
  constructor(readonly page: Page) {}

  async open(next?: string) {
    await this.page.goto(next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in");
    await hydrated(this.page);
  }

  async submit(email: string, password: string, remember = false) {
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    if (remember) await this.page.getByLabel("Keep me signed in on this device").check();
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  fieldError(field: string) {
    return this.page.locator(`.field-error[data-field="${field}"]`);
  }
}

/** Signs in as the demo user of `role` and waits for its home page. */
export async function signInAs(page: Page, role: DemoRole) {
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.submit(DEMO[role], DEMO_PASSWORD);
  await expect(page.getByTestId("user-menu")).toBeVisible();
}
