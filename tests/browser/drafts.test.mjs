// Several drafts, each open in one form at a time (issue 4), in headless Chromium on the real UI
// against the real core and platform (test host). Two tabs share the host's one core, as two
// windows of the app would: the second to open a draft is told it is open elsewhere and may
// take it over; the first then cannot overwrite it.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ftlMessage, outputDir, startChromium, startHost } from "./harness.mjs";

const PHONE = "13800000001";
let chrome;
let browser;
let host;
const out = outputDir();

before(async () => {
  host = await startHost();
  chrome = await startChromium();
  browser = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
});

after(async () => {
  await browser?.close().catch(() => {});
  await chrome?.stop();
  await host?.stop();
});

test("two drafts at once, and one draft never open in two forms", async () => {
  const context = await browser.newContext({ viewport: { width: 800, height: 1000 } });
  const first = await context.newPage();
  const second = await context.newPage();
  for (const p of [first, second]) p.setDefaultTimeout(20000);
  try {
    await first.goto(host.url);
    await first.waitForSelector("#phone");
    if (await first.locator("#first-run-normal").isVisible()) await first.locator("#first-run-normal").click();
    await first.fill("#phone", PHONE);
    await first.locator("main form button[type=submit]").click();
    await first.waitForSelector("#code");
    await first.fill("#code", await host.code(PHONE));
    await first.locator("main form button[type=submit]").click();
    await first.waitForSelector("main a[href='/report/new']");

    // Words typed after the category is chosen are kept without pressing anything (autosave).
    await first.goto(new URL("/report/new", host.url).href);
    await first.waitForSelector("#category option[value='water_plumbing']", { state: "attached" });
    await first.selectOption("#category", "water_plumbing");
    await first.waitForTimeout(2000); // the first autosave, with the category only
    await first.fill("#description", "自动保存：楼上漏水到我家天花板");
    await first.waitForTimeout(2500);
    await first.goto(new URL("/reports", host.url).href);
    await first.waitForSelector(".report-list");
    assert.ok(
      (await first.textContent(".report-list")).includes("自动保存：楼上漏水到我家天花板"),
      "the description typed after the category was saved by itself",
    );

    // Two drafts, both kept.
    const draft = async (page, words) => {
      await page.goto(new URL("/report/new", host.url).href);
      await page.waitForSelector("#category option[value='water_plumbing']", { state: "attached" });
      await page.selectOption("#category", "water_plumbing");
      await page.fill("#description", words);
      await page.locator("main form button[type=button]", { hasText: ftlMessage("zh-CN", "report-save-draft") }).click();
      await page.waitForSelector(".notice-done");
    };
    await draft(second, "第一份草稿：卫生间地漏反味");
    await draft(first, "第二份草稿：厨房水管漏水");
    await second.goto(new URL("/reports", host.url).href);
    await second.waitForSelector(".report-list");
    const drafts = await second.locator(".report-item", { hasText: "草稿" }).count();
    assert.ok(drafts >= 3, `both drafts are listed (${drafts})`);

    // The first tab still holds the second draft; the second tab opens it from the list.
    await second.bringToFront();
    const item = second.locator(".report-item", { hasText: "第二份草稿" });
    await item.locator("a.button").click();
    await second.waitForSelector(".held-elsewhere");
    assert.equal(
      (await second.textContent(".held-elsewhere p")).trim(),
      ftlMessage("zh-CN", "error-draft-open-elsewhere"),
      "the second form says where the draft is",
    );
    assert.equal(await second.locator("form.form").first().isVisible(), false, "and offers no stale copy to type into");
    await second.screenshot({ path: join(out, "draft-open-elsewhere.png"), fullPage: true });

    // Taking it over brings the words the first form saved; the first may no longer save.
    await second.locator(".held-elsewhere button").click();
    await second.waitForSelector("#description");
    assert.equal(await second.inputValue("#description"), "第二份草稿：厨房水管漏水");
    await second.fill("#description", "第二份草稿：厨房水管漏水，已经关了总阀");
    await second.locator("main form button[type=button]", { hasText: ftlMessage("zh-CN", "report-save-draft") }).click();
    await second.waitForSelector(".notice-done");

    await first.bringToFront();
    await first.fill("#description", "第一个窗口里后来改的字");
    await first.waitForSelector(".held-elsewhere", { timeout: 10000 });
    const id = new URL(second.url()).pathname.split("/")[2];
    await first.goto(new URL(`/reports/${id}`, host.url).href);
    await first.waitForSelector(".facts .description");
    assert.equal(
      (await first.textContent(".facts .description")).trim(),
      "第二份草稿：厨房水管漏水，已经关了总阀",
      "the form that gave the draft up did not overwrite it",
    );
  } catch (e) {
    await first.screenshot({ path: join(out, "drafts-failure-first.png"), fullPage: true }).catch(() => {});
    await second.screenshot({ path: join(out, "drafts-failure-second.png"), fullPage: true }).catch(() => {});
    console.error(host.log.join("").slice(-6000));
    throw e;
  } finally {
    await context.close().catch(() => {});
  }
});
