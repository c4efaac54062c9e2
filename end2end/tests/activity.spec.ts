import { expect, test } from "@playwright/test";
import { hydrated, signInAs } from "./auth.page";
import { scalar } from "./db";

test("finance reads the activity log and narrows it to one action and person", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "finance");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Activity" }).click();
  await expect(page).toHaveURL(/\/activity$/);
  await hydrated(page);

  const total = Number(scalar("SELECT COUNT(*) FROM audit_events"));
  await expect(page.getByTestId("activity-range")).toHaveText(new RegExp(` of ${total}$`));

  await page.getByLabel("Action").selectOption("user.signed_in");
  await expect(page).toHaveURL(/action=user\.signed_in/);
  const signIns = Number(scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'user.signed_in'"));
  await expect(page.getByTestId("activity-range")).toHaveText(new RegExp(` of ${signIns}$`));
  const rows = page.getByTestId("activity-row");
  await expect(rows.first()).toContainText("user.signed_in");

  await page.getByLabel("Who").fill("finance@");
  await expect(page).toHaveURL(/who=finance/);
  const mine = Number(
    scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'user.signed_in' AND actor_label LIKE '%finance@%'"),
  );
  await expect(page.getByTestId("activity-range")).toHaveText(new RegExp(` of ${mine}$`));
  await expect(rows.first()).toContainText("finance@northwind.example");
  expect(errors).toEqual([]);
});
