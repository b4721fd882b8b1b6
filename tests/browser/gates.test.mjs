// Accessibility gates of issue 3 in headless Chromium, on the real UI (ui/dist) talking to the
// real core and an embedded real platform through crates/linli-testhost.
//
// Every screen and state, in both themes (normal, elderly; switched through the settings
// screen's #elderly-mode), at 360x800, 800x1280 and 1280x800:
//   - axe-core (WCAG 2.0/2.1 A+AA, 2.2 AA): zero violations;
//   - no horizontal scrolling (documentElement.scrollWidth <= innerWidth), also at 320 px;
//   - a full-page screenshot: test-output/browser/<screen>-<theme>-<width>.png;
//   - in elderly mode, the measurement pass of measure.mjs (text >= 24 px, running text line
//     height >= 1.5, targets >= 60x60 px, gaps >= 8 px, contrast >= 7:1):
//     test-output/browser/measure-<screen>.json.
// Lighthouse accessibility (score 100) on every screen and state, per theme, in the same
// Chromium (its DevTools port). Screens with their own address get a navigation run: the
// session lives in the test host's core, not in a browser tab, so Lighthouse's fresh tab is
// signed in too. States reached by typing (filled, field error, photo, each step of elderly
// mode's one-question-per-step form) get a snapshot run on the very tab that was typed into
// (Lighthouse's snapshot mode, through puppeteer-core on the same DevTools port).
//
// Offline states: the test host stops its embedded platform (POST /testhost/platform/stop);
// with the header saying so, a report is filed and stays "saved on this device, will send";
// home, that report and the list are checked as above, in both themes; then the platform is
// started again on the same address and the report must become delivered by itself.
//
// The first-launch elderly question, when shown, is checked once and answered with the theme
// the run wants (#first-run-elderly / #first-run-normal).
//
// Run: scripts/test-browser (builds the test host; needs ui/dist from scripts/build-ui).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import lighthouse, { snapshot } from "lighthouse";
import puppeteer from "puppeteer-core";
import { measureInPage } from "./measure.mjs";
import { ftlMessage, outputDir, startChromium, startHost, uuidv7, writeJson, writeTestPng } from "./harness.mjs";

const WIDTHS = [
  { width: 360, height: 800 },
  { width: 800, height: 1280 },
  { width: 1280, height: 800 },
];
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const LIMITS = { minFontPx: 24, minLineHeight: 1.5, minTargetPx: 60, minGapPx: 8, minContrast: 7 };
const PHONE = "13800000001"; // the demo community's resident
const DESCRIPTION = "水管一直在滴水，厨房地面已经湿了";

let host;
let chrome;
let browser;
let page;
const out = outputDir();
const summary = { screens: {}, lighthouse: {}, pageErrors: [], consoleErrors: [] };
const measures = {};

before(async () => {
  host = await startHost();
  chrome = await startChromium();
  browser = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
  // @axe-core/playwright needs pages from a context it can see (not browser.newPage()).
  const context = await browser.newContext({ viewport: WIDTHS[2] });
  page = await context.newPage();
  page.setDefaultTimeout(20000);
  page.on("pageerror", (e) => summary.pageErrors.push(`${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") summary.consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) summary.consoleErrors.push(`${r.status()} ${r.url()}`);
  });
});

after(async () => {
  for (const [screen, m] of Object.entries(measures)) writeJson(`measure-${screen}.json`, m);
  writeJson("summary.json", summary);
  printSummary();
  await browser?.close().catch(() => {});
  await chrome?.stop();
  await host?.stop();
});

function printSummary() {
  const lines = ["", "screen                theme    axe(360/800/1280)  smallest font / target / gap / contrast (elderly)   lighthouse"];
  for (const [screen, themes] of Object.entries(summary.screens)) {
    for (const [theme, widths] of Object.entries(themes)) {
      const axe = WIDTHS.map((w) => widths[w.width]?.axeViolations ?? "-").join("/");
      const m = Object.values(widths)
        .map((w) => w.smallest)
        .filter(Boolean);
      const min = (f) => (m.length ? Math.min(...m.map(f).filter((v) => v != null)) : "-");
      const elderly = theme === "elderly" && m.length
        ? `${min((s) => s.fontSize?.px)}px / ${min((s) => s.target && Math.min(s.target.width, s.target.height))}px / ${min((s) => s.gap?.px)}px / ${min((s) => s.contrast?.ratio)}:1`
        : "";
      const lh = summary.lighthouse[`${screen}/${theme}`]?.score ?? "";
      lines.push(`${screen.padEnd(22)}${theme.padEnd(9)}${axe.padEnd(19)}${elderly.padEnd(54)}${lh}`);
    }
  }
  console.log(lines.join("\n"));
}

async function settle() {
  await page.evaluate(
    () =>
      new Promise((r) =>
        document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(r))),
      ),
  );
  await page.waitForTimeout(250);
}

function formatAxe(violations) {
  return violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(" ")} :: ${n.failureSummary?.replace(/\s+/g, " ")}`),
  }));
}

/** Lighthouse on the tab as it is now, for states that have no address of their own. */
export const SNAPSHOT = Symbol("lighthouse snapshot of the current tab");

/** Checks the current state of the page at every width, and Lighthouse: a navigation run on
 *  `lighthousePath`, or a snapshot of this tab with `SNAPSHOT`. */
async function checkScreen(t, screen, theme, lighthousePath) {
  summary.screens[screen] ??= {};
  summary.screens[screen][theme] ??= {};
  for (const size of WIDTHS) {
    await t.test(`${screen} · ${theme} · ${size.width}x${size.height}`, async () => {
      await page.setViewportSize(size);
      await settle();
      const problems = [];
      const record = (summary.screens[screen][theme][size.width] = {});

      const scroll = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        innerWidth: window.innerWidth,
      }));
      record.scrollWidth = scroll.scrollWidth;
      if (scroll.scrollWidth > Math.min(scroll.innerWidth, scroll.clientWidth)) {
        problems.push(
          `horizontal scrolling: scrollWidth ${scroll.scrollWidth} > innerWidth ${scroll.innerWidth} / clientWidth ${scroll.clientWidth}`,
        );
      }

      await page.screenshot({ path: join(out, `${screen}-${theme}-${size.width}.png`), fullPage: true });

      const axe = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
      const violations = formatAxe(axe.violations);
      record.axeViolations = violations.length;
      record.axePasses = axe.passes.length;
      // A run that checked nothing (axe not injected, empty page) must not pass for clean.
      assert.ok(axe.passes.length > 10, `axe checked only ${axe.passes.length} rules on ${screen}`);
      writeJson(`axe-${screen}-${theme}-${size.width}.json`, violations);
      for (const v of violations) problems.push(`axe ${v.rule} (${v.impact}): ${v.help}\n      ${v.nodes.join("\n      ")}`);

      if (theme === "elderly") {
        const m = await page.evaluate(measureInPage, LIMITS);
        measures[screen] ??= { limits: LIMITS, widths: {} };
        measures[screen].widths[size.width] = m;
        record.smallest = m.smallest;
        record.measureFailures = m.failures.length;
        problems.push(...m.failures.map((f) => `measure: ${f}`));
      }
      assert.deepEqual(problems, [], `${screen} (${theme}, ${size.width}px):\n  ${problems.join("\n  ")}`);
    });
  }
  // The narrowest phones (320 CSS px): the layout must still reflow without sideways scrolling.
  await t.test(`${screen} · ${theme} · 320 reflow`, async () => {
    await page.setViewportSize({ width: 320, height: 700 });
    await settle();
    const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    summary.screens[screen][theme][320] = { scrollWidth: w.scroll };
    assert.ok(w.scroll <= w.inner, `${screen} (${theme}) scrolls sideways at 320 px: ${w.scroll} > ${w.inner}`);
    await page.setViewportSize(WIDTHS[2]);
  });
  if (lighthousePath === SNAPSHOT) {
    await t.test(`${screen} · ${theme} · lighthouse snapshot`, async () => {
      const driver = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null });
      try {
        const here = page.url();
        const target = driver.targets().find((x) => x.type() === "page" && x.url() === here);
        assert.ok(target, `the tab at ${here} is not visible over DevTools`);
        const tab = await target.page();
        const result = await snapshot(tab, {
          // The tab keeps its size: the widths are checked above; Lighthouse must not resize it.
          flags: { onlyCategories: ["accessibility"], logLevel: "error", screenEmulation: { disabled: true } },
        });
        judgeLighthouse(result.lhr, `${screen}/${theme}`, `${here} (${screen}, snapshot)`);
      } finally {
        await driver.disconnect();
      }
    });
  } else if (lighthousePath) {
    await t.test(`${screen} · ${theme} · lighthouse`, async () => {
      const url = new URL(lighthousePath, host.url).href;
      const result = await lighthouse(url, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: ["accessibility"],
        // The app keeps an event stream open, so the network never goes fully quiet.
        maxWaitForLoad: 15000,
      });
      judgeLighthouse(result.lhr, `${screen}/${theme}`, url);
    });
  }
}

/** Records a Lighthouse result and fails below 100 or when nothing was checked. */
function judgeLighthouse(lhr, key, url) {
  const score = Math.round((lhr.categories.accessibility.score ?? 0) * 100);
  const failing = Object.values(lhr.audits)
    .filter((a) => a.scoreDisplayMode === "binary" && a.score !== null && a.score < 1)
    .map((a) => ({
      id: a.id,
      title: a.title,
      items: (a.details?.items ?? []).map((i) => i.node?.selector ?? i.node?.snippet ?? JSON.stringify(i)).slice(0, 10),
    }));
  summary.lighthouse[key] = { url, score, failing, runtimeError: lhr.runtimeError?.message };
  writeJson(`lighthouse-${key.replace("/", "-")}.json`, { url, score, failing, runtimeError: lhr.runtimeError ?? null, runWarnings: lhr.runWarnings });
  assert.ok(!lhr.runtimeError, `lighthouse could not run on ${url}: ${lhr.runtimeError?.message}`);
  const passed = Object.values(lhr.audits).filter((a) => a.scoreDisplayMode === "binary" && a.score === 1);
  assert.ok(passed.length > 5, `lighthouse passed only ${passed.length} audits on ${url}: nothing was checked`);
  assert.equal(score, 100, `lighthouse accessibility ${score} on ${url}: ${JSON.stringify(failing, null, 2)}`);
}

let wantTheme = "normal";
let firstRunChecked = false;

async function open(path, ready, t) {
  await page.goto(new URL(path, host.url).href);
  await page.waitForSelector(ready);
  await answerFirstRun(t);
}

/** The first-launch question (a panel on sign-in and home) is answered with the theme the run
 *  wants, after one pass of the checks on it when a test context is at hand. */
async function answerFirstRun(t) {
  const answer = page.locator(wantTheme === "elderly" ? "#first-run-elderly" : "#first-run-normal");
  if (!(await answer.isVisible().catch(() => false))) return;
  if (t && !firstRunChecked) {
    firstRunChecked = true;
    await checkScreen(t, "first-run", await page.evaluate(() => document.documentElement.dataset.theme), SNAPSHOT);
  }
  await answer.click();
  await answer.waitFor({ state: "hidden" });
}

/** Switches the theme the way a person does: the settings screen's #elderly-mode. */
async function setTheme(theme) {
  wantTheme = theme;
  await open("/settings", "#elderly-mode");
  const want = theme === "elderly";
  await page.waitForFunction(() => document.documentElement.dataset.theme);
  const now = await page.evaluate(() => document.documentElement.dataset.theme === "elderly");
  if (now !== want) {
    const box = page.locator("#elderly-mode");
    if (await box.isVisible()) await box.click();
    else await page.locator("label[for=elderly-mode]").click();
  }
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
}

/** The normal form: every question on one page. */
async function reportOnOnePage(t, photoPath) {
  const theme = "normal";
  await checkScreen(t, "report-empty", theme, "/report/new");

  await page.selectOption("#category", "water_plumbing");
  await page.fill("#description", DESCRIPTION);
  await page.locator("label[for=place-kind-unit]").click();
  await page.waitForSelector("#place-unit option:nth-child(2)", { state: "attached" });
  const unit = await page.$eval("#place-unit", (s) => s.options[1].value);
  await page.selectOption("#place-unit", unit);
  await checkScreen(t, "report-filled", theme, SNAPSHOT);

  await page.fill("#description", "漏"); // too short
  await page.locator(".report-form button[type=submit]").click();
  await page.waitForSelector("#description-error");
  assert.equal(await page.inputValue("#description"), "漏", "the typed description is kept");
  await checkScreen(t, "report-error", theme, SNAPSHOT);

  await page.fill("#description", DESCRIPTION);
  await page.setInputFiles("#photo-input", photoPath);
  await page.waitForSelector(".photos img");
  await checkScreen(t, "report-photo", theme, SNAPSHOT);
  await page.locator(".report-form button[type=submit]").click();
}

/** Elderly mode: one question per step, checked at every step, with an error on the way and
 *  a trip back that must find the answers as they were left. */
async function reportStepByStep(t, photoPath) {
  const theme = "elderly";
  const step = async (n) => {
    await page.waitForSelector(`#step-heading[data-step="${n}"]`);
  };
  const next = async () => page.locator(".step-next").click();
  const visible = async (sel) => page.locator(sel).isVisible();

  await step(1);
  assert.ok(await visible("#category"), "step 1 asks the category");
  assert.equal(await visible("#description"), false, "and only that");
  assert.equal(await visible(".report-form button[type=submit]"), false, "sending waits for the last step");
  await checkScreen(t, "report-step-category", theme, "/report/new");

  await next(); // nothing chosen
  await page.waitForSelector("#category-error");
  assert.ok(await visible("#category"), "an error keeps the person on the step");
  await checkScreen(t, "report-step-error", theme, SNAPSHOT);

  await page.selectOption("#category", "water_plumbing");
  await next();
  await step(2);
  await page.locator("label[for=place-kind-unit]").click();
  await page.waitForSelector("#place-unit option:nth-child(2)", { state: "attached" });
  await page.selectOption("#place-unit", await page.$eval("#place-unit", (s) => s.options[1].value));
  await checkScreen(t, "report-step-place", theme, SNAPSHOT);
  await next();

  await step(3);
  await page.fill("#description", "漏"); // too short
  await next();
  await page.waitForSelector("#description-error");
  assert.equal(await page.inputValue("#description"), "漏", "the typed description is kept");
  await page.fill("#description", DESCRIPTION);
  await checkScreen(t, "report-step-description", theme, SNAPSHOT);
  await next();

  await step(4);
  await page.locator("label[for=urgency-soon]").click();
  await checkScreen(t, "report-step-urgency", theme, SNAPSHOT);
  await next();

  await step(5);
  assert.equal(await page.isChecked("#visibility-private"), true, "private unless chosen otherwise");
  await checkScreen(t, "report-step-visibility", theme, SNAPSHOT);
  await next();

  await step(6);
  await page.setInputFiles("#photo-input", photoPath);
  await page.waitForSelector(".photos img");
  await checkScreen(t, "report-step-photos", theme, SNAPSHOT);
  await next();

  await step(7);
  const review = await page.textContent(".review");
  assert.ok(review.includes(DESCRIPTION), `the last step shows the description: ${review}`);
  assert.ok(review.includes(ftlMessage("zh-CN", "urgency-soon")), `and the urgency: ${review}`);
  await checkScreen(t, "report-step-review", theme, SNAPSHOT);

  // Back to the description and forward again: nothing typed is lost on the way.
  for (const n of [6, 5, 4, 3]) {
    await page.locator(".step-back").click();
    await step(n);
  }
  assert.equal(await page.inputValue("#description"), DESCRIPTION, "going back keeps the words");
  assert.ok(await visible("#description"), "step 3 shows the description again");
  for (const n of [4, 5, 6, 7]) {
    await next();
    await step(n);
  }
  assert.equal(await page.isChecked("#urgency-soon"), true, "and the urgency chosen");
  await page.locator(".report-form button[type=submit]").click();
}

/** Files a report without stopping to check: all at once, or step by step in elderly mode. */
async function fillAndSend(theme, description) {
  const stepwise = theme === "elderly";
  const next = async () => {
    if (stepwise) await page.locator(".step-next").click();
  };
  await page.selectOption("#category", "water_plumbing");
  await next();
  await page.locator("label[for=place-kind-unit]").click();
  await page.waitForSelector("#place-unit option:nth-child(2)", { state: "attached" });
  await page.selectOption("#place-unit", await page.$eval("#place-unit", (s) => s.options[1].value));
  await next();
  await page.fill("#description", description);
  for (const _ of [1, 2, 3, 4]) await next(); // description, urgency, visibility, photos
  await submitForm();
}

let staff;
let neighbour;

/** Issue 4's screens, in `theme`, around the report at `detail` (just filed in that theme):
 *  the board, an emergency category, a neighbour's report offered, the report resolved by
 *  staff (confirm or reopen, with an error), rating (with an error), rated, with comments. */
async function followUp(t, theme, detail) {
  staff ??= await host.asPerson("13800000010");
  if (!neighbour) {
    neighbour = await host.asPerson("13800000002");
    await neighbour.post("/v1/reports", {
      id: uuidv7(),
      category: "lifts",
      description: "3栋电梯按钮失灵，按了没反应",
      place: { kind: "building", building_id: 3, spot: "一楼电梯厅" },
      urgency: "soon",
      visibility: "private",
      photo_ids: [],
    });
  }
  const stepwise = theme === "elderly";

  await open("/board", ".board-party");
  await checkScreen(t, "board", theme, "/board");

  await open("/report/new", "#category");
  await page.waitForSelector("#category option[value='gas_leak']", { state: "attached" });
  await page.selectOption("#category", "gas_leak");
  await page.waitForSelector(".emergency a.call");
  assert.equal(await page.locator(".step-next").count(), 0, "no way on but the call buttons and 'I called'");
  await checkScreen(t, "report-emergency", theme, SNAPSHOT);

  await page.selectOption("#category", "lifts");
  if (stepwise) await page.locator(".step-next").click();
  await page.locator("label[for=place-kind-building]").click();
  await page.waitForSelector("#place-building option[value='3']", { state: "attached" });
  await page.selectOption("#place-building", "3");
  await page.waitForSelector(".similar-panel .similar-follow");
  await checkScreen(t, "report-similar", theme, SNAPSHOT);

  // Staff say it is fixed: the resident is asked.
  const id = detail.split("/").pop();
  await staff.post(`/v1/reports/${id}/resolve`, { note: "已更换阀芯，请您确认", photo_ids: [] });
  await open(detail, "#delivery-label");
  await page.waitForSelector("#confirm-fixed", { timeout: 30000 });
  await checkScreen(t, "report-resolved", theme, detail);
  await page.locator("#reopen").click();
  await page.locator("#reopen-send").click(); // no reason
  await page.waitForSelector("#reopen-reason-error");
  await checkScreen(t, "report-reopen-error", theme, SNAPSHOT);

  await page.locator("#confirm-fixed").click();
  await page.waitForSelector("#rate-send", { timeout: 30000 });
  await checkScreen(t, "report-rate", theme, SNAPSHOT);
  await page.locator("#rate-send").click(); // nothing chosen
  await page.waitForSelector("#rate-attitude-error");
  await checkScreen(t, "report-rate-error", theme, SNAPSHOT);
  for (const c of ["rate-attitude-5", "rate-quality-4", "rate-speed-5"]) await page.locator(`label[for=${c}]`).click();
  await page.locator("#rate-send").click();
  await page.waitForSelector("#rated", { timeout: 30000 });

  await page.fill("#comment-body", "谢谢师傅，修得很好");
  await page.locator("#comment-send").click();
  await page.waitForFunction(() => document.querySelectorAll(".comment").length >= 1, null, { timeout: 30000 });
  await staff.post(`/v1/reports/${id}/comments`, { id: uuidv7(), body: "不客气，有问题随时报修", photo_ids: [] });
  await page.waitForFunction(() => document.querySelectorAll(".comment").length >= 2, null, { timeout: 30000 });
  await checkScreen(t, "report-closed-rated", theme, detail);
}

async function submitForm() {
  await page.locator("main form button[type=submit]").first().click();
}

// The instrument first: a page with known faults must be flagged, and only for those faults.
test("the elderly measurement pass flags what it should", async () => {
  const probe = await page.context().newPage();
  try {
    await probe.setViewportSize({ width: 800, height: 1200 });
    await probe.setContent(`<!doctype html><html><body style="margin:16px;font:24px/1.6 sans-serif;color:#000;background:#fff">
      <p id="fine">Fine text</p>
      <p id="small" style="font-size:20px">Small text</p>
      <p id="grey" style="color:#777">Grey text</p>
      <p id="tight" style="line-height:1.2">Tight lines</p>
      <h1 id="flat" style="font-size:24px">Flat heading</h1>
      <div style="background:linear-gradient(#000,#fff)"><p id="gradient">On a gradient</p></div>
      <button id="tiny" style="font-size:24px;width:40px;height:40px;padding:0">B</button>
      <div style="margin-top:40px"><button id="near" style="font-size:24px;width:80px;height:80px;margin-right:4px">x</button><button style="font-size:24px;width:80px;height:80px">y</button></div>
      <div style="margin-top:40px"><label id="big" style="display:inline-block;padding:20px"><input type="checkbox" id="wrapped"> Big label</label></div>
      <span style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);font-size:10px">Visually hidden</span>
      <a href="#fine" style="position:absolute;top:-200px;font-size:10px">Skip link</a>
    </body></html>`);
    const m = await probe.evaluate(measureInPage, LIMITS);
    const has = (re) => m.failures.some((f) => re.test(f));
    assert.ok(has(/^font 20px < 24px: p#small/), "small text flagged");
    assert.ok(has(/^contrast 4\.4\d:1 < 7:1: p#grey/), "grey text flagged");
    assert.ok(has(/^line height 1\.2 < 1\.5: p#tight/), "tight lines flagged");
    assert.ok(has(/^heading 24px not larger than body 24px: h1#flat/), "flat heading flagged");
    assert.ok(has(/^contrast unknown .*gradient.*: p#gradient/), "text on a gradient listed as unknown");
    assert.ok(has(/^target 40x40 < 60: button#tiny/), "small target flagged");
    assert.ok(has(/^gap 4px < 8px: button#near/), "close targets flagged");
    assert.ok(!m.failures.some((f) => /#fine|#big|#wrapped|hidden|Skip/.test(f)), m.failures.join("\n"));
    assert.equal(m.failures.length, 8, m.failures.join("\n")); // 7 above + the gap seen from "y"
    const wrapped = m.targets.find((t) => t.element.startsWith("input#wrapped"));
    assert.ok(wrapped && wrapped.height >= 60, "a label around a checkbox counts as its target");
  } finally {
    await probe.close();
  }
});

test("accessibility gates in headless Chromium", async (t) => {
  try {
    await gates(t);
  } catch (e) {
    await recordFailure();
    throw e;
  }
});

/** What the page showed when the gates failed: failure.png, failure.json (with the host's log). */
async function recordFailure() {
  try {
    await page.screenshot({ path: join(out, "failure.png"), fullPage: true });
    writeJson("failure.json", {
      url: page.url(),
      main: await page.textContent("body", { timeout: 2000 }).catch(() => null),
      hostLog: host.log.join("").slice(-20000),
    });
  } catch (e) {
    console.error(`could not record the failure: ${e.message}`);
  }
}

async function gates(t) {
  // --- signed out: the sign-in screen in both themes ---------------------------------------
  for (const theme of ["normal", "elderly"]) {
    await setTheme(theme);
    await open("/", "#phone", t);
    await checkScreen(t, "sign-in", theme, "/");
    await page.fill("#phone", PHONE.slice(0, -1)); // one digit short
    await submitForm();
    await page.waitForSelector("#phone-error");
    assert.equal(await page.inputValue("#phone"), PHONE.slice(0, -1), "the typed phone is kept");
    await checkScreen(t, "sign-in-error", theme, SNAPSHOT);
    await page.fill("#phone", PHONE);
    await submitForm();
    await page.waitForSelector("#code");
    await checkScreen(t, "sign-in-code", theme, SNAPSHOT);
  }
  // Sign in with the code the demo SMS gateway wrote down.
  await page.fill("#code", await host.code(PHONE));
  await submitForm();
  await page.waitForSelector("main a[href='/report/new']");
  await answerFirstRun(t);

  // --- signed in: every screen in both themes -----------------------------------------------
  const photo = writeTestPng();
  try {
    for (const theme of ["elderly", "normal"]) {
      await setTheme(theme);
      await checkScreen(t, "settings", theme, "/settings");

      await open("/", "main a[href='/report/new']", t);
      await checkScreen(t, "home", theme, "/");

      await open("/report/new", "#category");
      await page.waitForSelector("#category option[value='water_plumbing']", { state: "attached" });
      if (theme === "elderly") await reportStepByStep(t, photo.path);
      else await reportOnOnePage(t, photo.path);

      await page.waitForSelector("#delivery-label");
      await page.waitForFunction(
        () => /#\d+/.test(document.querySelector("#delivery-label")?.textContent ?? ""),
        null,
        { timeout: 30000 },
      );
      const detail = new URL(page.url()).pathname;
      await checkScreen(t, "report-detail", theme, detail);

      await open("/reports", ".report-list");
      await checkScreen(t, "my-reports", theme, "/reports");

      await followUp(t, theme, detail);
    }

    // --- offline: the platform stopped, then back ------------------------------------------
    const offlineWords = ftlMessage("zh-CN", "sync-offline");
    const queuedWords = ftlMessage("zh-CN", "delivery-queued");
    for (const theme of ["elderly", "normal"]) {
      await setTheme(theme);
      await host.stopPlatform();
      await open("/", "main a[href='/report/new']", t);
      await page.waitForSelector(".sync-state.offline", { timeout: 30000 });
      assert.equal((await page.textContent(".sync-state.offline")).trim(), offlineWords, "the header says offline");
      await checkScreen(t, "home-offline", theme, "/");

      await open("/report/new", "#category");
      await page.waitForSelector("#category option[value='water_plumbing']", { state: "attached" });
      await fillAndSend(theme, `${DESCRIPTION}（${theme}）`);
      await page.waitForSelector("#delivery-label.badge-queued", { timeout: 30000 });
      assert.equal((await page.textContent("#delivery-label")).trim(), queuedWords, "saved on this device, will send");
      assert.ok(await page.isVisible(".sync-state.offline"), "still offline");
      const detail = new URL(page.url()).pathname;
      await checkScreen(t, "report-offline", theme, detail);
      // Lighthouse's own tab must not have sent it: the platform is still away.
      await open(detail, "#delivery-label.badge-queued");

      await open("/reports", ".report-list");
      await checkScreen(t, "my-reports-offline", theme, "/reports");

      await host.startPlatform();
      await open(detail, "#delivery-label");
      // Nobody presses anything: the core notices the platform is back and sends.
      await page.waitForFunction(
        () => /#\d+/.test(document.querySelector("#delivery-label")?.textContent ?? ""),
        null,
        { timeout: 90000 },
      );
      await page.waitForSelector(".sync-state.online", { timeout: 30000 });
      await page.screenshot({ path: join(out, `report-back-online-${theme}.png`), fullPage: true });
    }
  } finally {
    photo.cleanup();
  }
  assert.deepEqual(summary.pageErrors, [], "uncaught errors in the page");
}
