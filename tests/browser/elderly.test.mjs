// Elderly mode's own behaviour (issue 3) in headless Chromium, on the real UI against the real
// core and platform (test host): reading the screen aloud, a device without a speech service,
// errors spoken as well as shown, and following the system's text size.
//
// The test host's speaker is silent and records what the core was asked to say
// (GET /testhost/spoken); the real speech service is exercised by linli-core's tests against a
// running Speech Dispatcher and by the end-to-end test in the real window.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ftlMessage, outputDir, startChromium, startHost } from "./harness.mjs";

const PHONE = "13800000001"; // the demo community's resident

let chrome;
let browser;
const out = outputDir();

before(async () => {
  chrome = await startChromium();
  browser = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
});

after(async () => {
  await browser?.close().catch(() => {});
  await chrome?.stop();
});

/** A fresh host (with `args`) and a tab on it; `run(page, host)` does the rest. */
async function withHost(args, run) {
  const host = await startHost(args);
  const context = await browser.newContext({ viewport: { width: 800, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(host.url);
    await page.waitForFunction(() => document.documentElement.dataset.theme);
    await run(page, host);
    assert.deepEqual(errors, [], "uncaught errors in the page");
  } catch (e) {
    await page.screenshot({ path: join(out, "elderly-failure.png"), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await context.close().catch(() => {});
    await host.stop();
  }
}

/** Signs in, answering the first-launch question with `mode` ("elderly" or "normal"). */
async function signIn(page, host, mode) {
  const answer = page.locator(mode === "elderly" ? "#first-run-elderly" : "#first-run-normal");
  await page.waitForSelector("#phone");
  if (await answer.isVisible()) await answer.click();
  await page.fill("#phone", PHONE);
  await page.locator("main form button[type=submit]").click();
  await page.waitForSelector("#code");
  await page.fill("#code", await host.code(PHONE));
  await page.locator("main form button[type=submit]").click();
  await page.waitForSelector("main a[href='/report/new']");
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, mode);
}

const lastSaid = async (host) => (await host.spoken()).at(-1);

test("read aloud: the words on screen, in the person's language; errors are spoken too", async () => {
  await withHost([], async (page, host) => {
    await signIn(page, host, "elderly");
    const button = page.locator("#read-aloud");
    assert.equal((await button.textContent()).trim(), ftlMessage("zh-CN", "read-aloud"));
    await button.click();
    await page.waitForSelector("#read-aloud[aria-pressed=true]");
    assert.equal((await button.textContent()).trim(), ftlMessage("zh-CN", "read-aloud-stop"));
    const home = await lastSaid(host);
    assert.equal(home.language, "zh-CN");
    const greeting = (await page.textContent("main h1")).trim();
    assert.ok(home.text.includes(greeting), `the greeting is read: ${home.text}`);
    assert.ok(home.text.includes(ftlMessage("zh-CN", "tile-report")), `the tiles are read: ${home.text}`);
    assert.ok(!home.text.includes(ftlMessage("zh-CN", "read-aloud-stop")), "the screen, not the button, is read");
    await page.screenshot({ path: join(out, "elderly-read-aloud-home.png"), fullPage: true });
    await button.click();
    await page.waitForSelector("#read-aloud[aria-pressed=false]");

    // One question per step: only the current question is read; a mistake is spoken.
    await page.goto(new URL("/report/new", host.url).href);
    await page.waitForSelector("#step-heading[data-step='1']");
    await page.waitForSelector("#category option[value='water_plumbing']", { state: "attached" });
    await button.click();
    await page.waitForSelector("#read-aloud[aria-pressed=true]");
    const stepOne = await lastSaid(host);
    assert.ok(stepOne.text.includes(ftlMessage("zh-CN", "report-category-label")), stepOne.text);
    assert.ok(!stepOne.text.includes(ftlMessage("zh-CN", "report-description-label")), `later steps are not read: ${stepOne.text}`);
    const before = (await host.spoken()).length;
    await page.locator(".step-next").click(); // no category chosen
    await page.waitForSelector("#category-error");
    const shown = (await page.textContent("#category-error")).trim();
    const spokenError = await waitForSpeech(host, before);
    assert.ok(spokenError.text.includes(shown), `the error "${shown}" is spoken: ${spokenError.text}`);

    // In English, read in English.
    await page.goto(new URL("/settings", host.url).href);
    await page.locator("label[for=language-en]").click();
    await page.waitForFunction(() => document.documentElement.lang === "en");
    await button.click();
    await page.waitForSelector("#read-aloud[aria-pressed=true]");
    const settings = await lastSaid(host);
    assert.equal(settings.language, "en");
    assert.ok(settings.text.includes(ftlMessage("en", "settings-language-legend")), settings.text);

    // The standard theme has no such button (screen readers serve there).
    await page.locator("#elderly-mode").click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === "normal");
    assert.equal(await page.locator("#read-aloud").count(), 0);
  });
});

/** The first thing said after the first `seen` entries (errors are spoken without a press). */
async function waitForSpeech(host, seen) {
  for (let i = 0; i < 50; i++) {
    const all = await host.spoken();
    if (all.length > seen) return all[seen];
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail("nothing was spoken");
}

test("a device without a speech service: the button says so, and says why when pressed", async () => {
  await withHost(["--no-speech"], async (page, host) => {
    await signIn(page, host, "elderly");
    const button = page.locator("#read-aloud");
    assert.equal((await button.textContent()).trim(), ftlMessage("zh-CN", "read-aloud-unavailable"));
    await button.click();
    await page.waitForFunction(() => document.querySelector(".read-aloud-note")?.textContent.trim());
    assert.equal((await page.textContent(".read-aloud-note")).trim(), ftlMessage("zh-CN", "error-speech-unavailable"));
    assert.equal(await button.getAttribute("aria-pressed"), "false");
    assert.deepEqual(await host.spoken(), [], "nothing was sent to a speech service");
    await page.screenshot({ path: join(out, "elderly-no-speech.png"), fullPage: true });

    // A platform address the core refuses (plain http beyond this machine): the reason shows
    // by the field, in words, and what was typed stays.
    await page.goto(new URL("/settings", host.url).href);
    await page.waitForSelector("#platform-url");
    await page.fill("#platform-url", "http://192.168.1.20:8731");
    await page.locator("#platform-url").press("Enter");
    await page.waitForSelector("#platform-url-error");
    assert.ok((await page.textContent("#platform-url-error")).trim().length > 0, "the reason is in words");
    assert.equal(await page.inputValue("#platform-url"), "http://192.168.1.20:8731", "the typed address is kept");
  });
});

test("large system text: elderly mode until the person chooses, and every size follows it", async () => {
  await withHost(["--text-scale", "1.5"], async (page, host) => {
    await page.waitForSelector("#first-run-elderly");
    const fontSize = () => page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "elderly", "large system text starts in elderly mode");
    assert.equal(await fontSize(), "36px", "24 px elderly text at 1.5 times");
    // Asked all the same, and "standard" is kept, still at the system's size.
    await page.locator("#first-run-normal").click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === "normal");
    assert.equal(await fontSize(), "25.5px", "17 px standard text at 1.5 times");
    await page.reload();
    await page.waitForSelector("#phone");
    await page.waitForFunction(() => document.documentElement.dataset.theme === "normal");
    assert.equal(await page.locator("#first-run-normal").count(), 0, "the answer is kept");
    await page.screenshot({ path: join(out, "text-scale-1.5-normal.png"), fullPage: true });
  });
});
