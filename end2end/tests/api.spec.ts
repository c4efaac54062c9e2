import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";

test("an admin creates an API key, sees it once, uses it, then revokes it", async ({ page, request }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "admin");
  await page.goto("/settings/attribution");
  await hydrated(page);
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(/\/settings\/api-keys$/);
  await hydrated(page);

  // No name: the error sits next to the field and the chosen scope stays.
  const scope = page.getByLabel("Scope");
  await scope.selectOption("write");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.locator('.field-error[data-field="name"]')).toContainText("Name the key");
  await expect(scope).toHaveValue("write");

  await page.getByLabel("Name", { exact: true }).fill("Zapier");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = page.getByTestId("new-key-secret");
  await expect(secret).toHaveText(/^pa_[a-z0-9]+_\S{32,}$/);
  const key = (await secret.textContent())!.trim();
  const row = page.locator('tr[data-key="Zapier"]');
  await expect(row).toContainText("Write");
  await expect(row).toContainText("Never");
  // The list shows the key's start, never the secret.
  await expect(page.getByTestId("keys-table")).not.toContainText(key);

  const answer = await request.get("/api/v1/partners?limit=3", { headers: { Authorization: `Bearer ${key}` } });
  expect(answer.status()).toBe(200);
  expect((await answer.json()).data).toHaveLength(3);

  await page.reload();
  await hydrated(page);
  await expect(row).not.toContainText("Never");
  await expect(page.getByTestId("new-key")).toHaveCount(0);

  await row.getByRole("button", { name: "Revoke…" }).click();
  await row.getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByTestId("toasts")).toContainText("Key revoked");
  await expect(row).toContainText("Revoked");
  const refused = await request.get("/api/v1/partners", { headers: { Authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["content-type"]).toBe("application/problem+json");
  expect(errors).toEqual([]);
});

test("anyone reads the API reference, rendered from the OpenAPI document", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const outside: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith("http://127.0.0.1")) outside.push(r.url());
  });
  await page.goto("/api-docs");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Partner Attribution API");
  const contents = page.getByRole("navigation", { name: "API contents" });
  await contents.getByRole("link", { name: "Create or update a deal by external id" }).click();
  await expect(page).toHaveURL(/#upsert_deal$/);
  const upsert = page.locator('[data-operation="upsert_deal"]');
  await expect(upsert).toContainText("PUT");
  await expect(upsert).toContainText("/api/v1/deals/by-external-id/{external_id}");
  await upsert.getByRole("link", { name: "DealInput" }).click();
  await expect(page.locator("#schema-DealInput")).toContainText("account_name");
  await expect(page.locator("#schema-DealStage")).toContainText("open");
  await expect(page.locator("#problem-rate-limited")).toContainText("429");
  expect(outside).toEqual([]);
  expect(errors).toEqual([]);
});
