import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";

test("an admin subscribes an endpoint, sees a message in its log, redelivers it and switches it off", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "admin");
  await page.goto("/settings/attribution");
  await hydrated(page);
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Webhooks" }).click();
  await expect(page).toHaveURL(/\/settings\/webhooks$/);
  await hydrated(page);

  // A private address and no events: both refused next to their fields, the address kept.
  const form = page.getByTestId("endpoint-form");
  await form.getByLabel("Endpoint URL").fill("http://10.0.0.7/hooks");
  await form.getByRole("button", { name: "Add endpoint" }).click();
  await expect(form.locator('.field-error[data-field="url"]')).toContainText("https://");
  await expect(form.locator('.field-error[data-field="events"]')).toContainText("at least one event");
  await expect(form.getByLabel("Endpoint URL")).toHaveValue("http://10.0.0.7/hooks");

  await form.getByLabel("Endpoint URL").fill("https://hooks.example.com/partner-attribution");
  await form.getByLabel("Description (optional)").fill("Data warehouse");
  await form.getByRole("checkbox", { name: /partner\.created/ }).check();
  await form.getByRole("checkbox", { name: /deal\.won/ }).check();
  await form.getByRole("button", { name: "Add endpoint" }).click();
  await expect(page).toHaveURL(/\/settings\/webhooks\/\d+$/);
  await hydrated(page);
  const endpointUrl = page.url();
  const secret = page.getByTestId("endpoint-secret");
  await expect(secret).not.toContainText("whsec_A");
  await page.getByRole("button", { name: "Reveal" }).click();
  await expect(secret).toHaveText(/^whsec_[A-Za-z0-9+/=]{32}$/);

  // A new partner raises partner.created: it shows in the endpoint's log.
  await page.goto("/partners/new");
  await hydrated(page);
  const partnerForm = page.getByTestId("partner-form");
  await partnerForm.getByLabel("Name", { exact: true }).fill("Webhook Test Partners");
  await partnerForm.getByLabel("Type").selectOption("referral");
  await partnerForm.getByLabel("Commission rate (%)").fill("5");
  await partnerForm.getByRole("button", { name: "Add partner" }).click();
  await expect(page.getByTestId("partner-name")).toHaveText("Webhook Test Partners");

  await page.goto(endpointUrl);
  await hydrated(page);
  const log = page.getByTestId("deliveries");
  await expect(log.locator("tbody tr")).toHaveCount(1);
  await expect(log).toContainText("partner.created");
  await log.getByRole("button", { name: "Redeliver" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Queued again");
  await expect(log.locator("tbody tr")).toHaveCount(2);
  // Both rows carry the same message id.
  const ids = await log.locator("tbody tr td:nth-child(2)").allTextContents();
  expect(new Set(ids).size).toBe(1);

  await page.getByRole("button", { name: "Switch off" }).click();
  await expect(page.locator(".page-header")).toContainText("Switched off");
  await expect(log.getByRole("button", { name: "Redeliver" }).first()).toBeDisabled();
  await page.getByRole("button", { name: "Switch on" }).click();
  await expect(page.locator(".page-header")).not.toContainText("Switched off");
  expect(errors).toEqual([]);
});
