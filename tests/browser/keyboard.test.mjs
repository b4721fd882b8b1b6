// Keyboard-only end-to-end run of issue 3 in headless Chromium: sign in and file a report with
// nothing but keys (Tab, Shift+Tab, Enter, Space, arrows, typing through page.keyboard; no
// clicks, no element.fill), on the real UI against the real core and platform (test host).
//
// After every key that moves focus, the focused element is checked: it is a real element (not
// the page), it matches :focus-visible, it draws a visible indicator (an outline that is not
// `none`, at least 2 px and not transparent, or a box-shadow that is not transparent; a visually
// hidden input may draw it on its label), and it is not hidden: inside the viewport and not
// covered by anything else. Each run starts signed out on a fresh host, in each theme (elderly
// chosen with the keyboard too). Screenshots and the focus path: test-output/browser/keyboard-*.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ftlMessage, outputDir, startChromium, startHost, writeJson } from "./harness.mjs";

const PHONE = "13800000001"; // the demo community's resident
const DESCRIPTION = "楼道灯不亮了，晚上看不见台阶";
const MAX_TABS = 60;

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

/** Runs in the page: what has focus and whether a person can see where it is. */
function focusState(selector) {
  const el = document.activeElement;
  const name = (e) =>
    e.tagName.toLowerCase() +
    (e.id ? `#${e.id}` : "") +
    (e.classList.length ? `.${[...e.classList].join(".")}` : "") +
    (e.getAttribute("href") ? `[href="${e.getAttribute("href")}"]` : "") +
    (e.getAttribute("type") ? `[type=${e.getAttribute("type")}]` : "");
  if (!el || el === document.body || el === document.documentElement) {
    return { element: null };
  }
  const transparent = (c) => c === "transparent" || /rgba\([^)]*,\s*0\)$/.test(c);
  // An outline on something not drawn (opacity 0, hidden, clipped away, a 1 px box) is no
  // indicator, however the computed style reads.
  const undrawn = (e) => {
    const r = e.getBoundingClientRect();
    if (r.width <= 2 || r.height <= 2) return true;
    if (/inset\(50%/.test(getComputedStyle(e).clipPath)) return true;
    for (let a = e; a; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (parseFloat(cs.opacity) === 0 || cs.visibility === "hidden") return true;
    }
    return false;
  };
  const ring = (e) => {
    if (undrawn(e)) return null;
    const cs = getComputedStyle(e);
    const width = parseFloat(cs.outlineWidth) || 0;
    if (cs.outlineStyle !== "none" && (cs.outlineStyle === "auto" || width >= 2) && !transparent(cs.outlineColor)) {
      return `outline ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`;
    }
    // Each shadow's colour comes first in Chromium's computed value.
    const shadows = cs.boxShadow === "none" ? [] : cs.boxShadow.split(/,(?![^(]*\))/);
    const seen = shadows.find((s) => {
      const colour = s.trim().match(/^(rgba?\([^)]*\)|[a-z]+)/)?.[1] ?? "";
      return !transparent(colour);
    });
    return seen ? `box-shadow ${seen.trim()}` : null;
  };
  let drawnOn = el;
  let indicator = ring(el);
  if (!indicator) {
    // A visually hidden control (the photo input) shows its focus on its label.
    for (const label of el.labels ?? []) {
      const r = ring(label);
      if (r) {
        drawnOn = label;
        indicator = r;
        break;
      }
    }
  }
  const rect = drawnOn.getBoundingClientRect();
  const inViewport =
    rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0 && rect.top < innerHeight && rect.left < innerWidth;
  let coveredBy = null;
  if (inViewport) {
    const x = Math.min(Math.max(rect.left + rect.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(rect.top + rect.height / 2, 0), innerHeight - 1);
    const hit = document.elementFromPoint(x, y);
    const ours = (h) =>
      h && (drawnOn.contains(h) || h.contains(drawnOn) || [...(el.labels ?? [])].some((l) => l.contains(h)));
    if (!ours(hit)) coveredBy = hit ? name(hit) : "nothing";
  }
  return {
    element: name(el),
    matches: selector ? el.matches(selector) : false,
    focusVisible: el.matches(":focus-visible"),
    indicator,
    drawnOn: drawnOn === el ? null : name(drawnOn),
    inViewport,
    coveredBy,
    value: "value" in el ? String(el.value) : null,
    checked: "checked" in el ? el.checked : null,
  };
}

/** One keyboard run in `theme` on a fresh (signed-out) host. */
async function keyboardRun(theme) {
  const host = await startHost();
  const context = await browser.newContext({ viewport: { width: 800, height: 1280 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const path = []; // every focus stop, for the record and for failure messages
  const kb = page.keyboard;

  /** Checks where focus is now; fails unless a person could see it. */
  async function checkFocus(why, selector) {
    const s = await page.evaluate(focusState, selector ?? null);
    path.push({ why, ...s });
    const where = `${why}: focus on ${s.element ?? "the page itself"}`;
    assert.ok(s.element, `${where} (nothing focused)`);
    assert.ok(s.focusVisible, `${where} does not match :focus-visible`);
    assert.ok(s.indicator, `${where} draws no visible focus indicator`);
    assert.ok(s.inViewport, `${where} is outside the viewport`);
    assert.equal(s.coveredBy, null, `${where} is covered by ${s.coveredBy}`);
    return s;
  }

  /** Tab (or Shift+Tab) until `selector` has focus, checking every stop on the way; with
   *  `next`, the very next stop must be it (the form's order is part of what is tested). */
  async function tabTo(selector, { back = false, next = false } = {}) {
    const already = await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);
    if (already && !next) return checkFocus(`already on ${selector}`, selector);
    const tries = next ? 1 : MAX_TABS;
    for (let i = 0; i < tries; i++) {
      await kb.press(back ? "Shift+Tab" : "Tab");
      const s = await checkFocus(`${back ? "Shift+Tab" : "Tab"} towards ${selector}`, selector);
      if (s.matches) return s;
    }
    const stops = path.slice(-tries).map((p) => p.element).join(" -> ");
    assert.fail(`${selector} not reached in ${tries} ${back ? "Shift+Tab" : "Tab"} presses: ${stops}`);
  }

  /** With a <select> focused, arrows until its value is `want` (a closed select changes with
   *  the arrows in Chromium on Linux and Windows, as people use it). */
  async function arrowSelect(selector, want) {
    await checkFocus(`choosing in ${selector}`, selector);
    for (let i = 0; i < 40; i++) {
      const value = await page.$eval(selector, (s) => s.value);
      if (value === want) return;
      await kb.press("ArrowDown");
    }
    assert.fail(`${selector} never reached ${want} with ArrowDown`);
  }

  /** Inside a radio group, arrows until `selector` is focused and checked. */
  async function arrowRadio(selector) {
    for (let i = 0; i < 10; i++) {
      const s = await checkFocus(`radio towards ${selector}`, selector);
      if (s.matches) {
        if (!s.checked) await kb.press("Space");
        const after = await checkFocus(`chose ${selector}`, selector);
        assert.equal(after.checked, true, `${selector} is not checked after Space`);
        return;
      }
      await kb.press("ArrowDown");
    }
    assert.fail(`${selector} not reached with arrow keys`);
  }

  /** Answers the first-launch elderly question, when it is shown, with the keys. */
  async function answerFirstRun() {
    const want = theme === "elderly" ? "#first-run-elderly" : "#first-run-normal";
    if (!(await page.locator(want).isVisible().catch(() => false))) return false;
    await tabTo(want);
    await kb.press("Enter");
    await page.locator(want).waitFor({ state: "hidden" });
    return true;
  }

  async function theme_() {
    return page.evaluate(() => document.documentElement.dataset.theme);
  }

  try {
    await page.goto(host.url);
    await page.waitForSelector("#phone");
    await page.waitForFunction(() => document.documentElement.dataset.theme);

    // The first stop is the skip link, shown when focused; Enter moves focus into the page.
    await kb.press("Tab");
    const skip = await checkFocus("first Tab", "a.skip-link");
    assert.ok(skip.matches, `the first Tab should reach the skip link, reached ${skip.element}`);
    await kb.press("Enter");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "main", "the skip link moves focus to main");

    await answerFirstRun();
    if ((await theme_()) !== theme) {
      // The theme switch lives in settings: the header's link, then the switch, then back.
      await tabTo("header a[href='/settings']", { back: true });
      await kb.press("Enter");
      await page.waitForSelector("#elderly-mode");
      await tabTo("#elderly-mode");
      await kb.press("Space");
      await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
      await checkFocus("after switching the theme", "#elderly-mode");
      await tabTo("header a[href='/']", { back: true });
      await kb.press("Enter");
      await page.waitForSelector("#phone");
    }
    assert.equal(await theme_(), theme);

    // Sign in: phone, Enter; code, Enter.
    await tabTo("#phone");
    await kb.type(PHONE);
    assert.equal(await page.inputValue("#phone"), PHONE, "typed phone");
    await kb.press("Enter");
    await page.waitForSelector("#code");
    await tabTo("#code");
    await kb.type(await host.code(PHONE));
    await kb.press("Enter");
    await page.waitForSelector("main a[href='/report/new']");

    // Home: the first-launch question may be asked here instead.
    await answerFirstRun();
    assert.equal(await theme_(), theme, "the theme survives signing in");
    await tabTo("main a[href='/report/new']");
    await kb.press("Enter");
    await page.waitForSelector("#category");
    await page.waitForSelector("#category option[value='water_plumbing']", { state: "attached" });

    // The report: category, description, place (a unit of the household), urgency, submit.
    // In elderly mode one question per step: "next" is the stop after each answer, and the
    // step's heading takes focus so the question is read first.
    const stepwise = theme === "elderly";
    const nextStep = async (n) => {
      if (!stepwise) return;
      await tabTo("main .step-next");
      await kb.press("Enter");
      await page.waitForSelector(`#step-heading[data-step="${n}"]`);
      // The form moves focus on the next animation frame after the step is drawn; a slow
      // frame once made this check read the moment between (the 2026-11-30 evening run).
      await page
        .waitForFunction(() => document.activeElement?.id === "step-heading", null, { timeout: 2000 })
        .catch(() => {});
      assert.equal(await page.evaluate(() => document.activeElement?.id), "step-heading", `step ${n} takes focus`);
    };
    await tabTo("#category");
    await arrowSelect("#category", "water_plumbing");
    await nextStep(2);
    await tabTo("input[name='place-kind']", { next: true });
    await arrowRadio("#place-kind-unit");
    await page.waitForSelector("#place-unit option:nth-child(2)", { state: "attached" });
    await tabTo("#place-unit", { next: true });
    const unit = await page.$eval("#place-unit", (s) => s.options[1].value);
    await arrowSelect("#place-unit", unit);
    await nextStep(3);
    await tabTo("#description", { next: true });
    await kb.type(DESCRIPTION);
    assert.equal(await page.inputValue("#description"), DESCRIPTION, "typed description");
    await nextStep(4);
    await tabTo("input[name='urgency']", { next: true });
    await arrowRadio("#urgency-soon");
    assert.equal(await page.isChecked("#urgency-routine"), false, "moving with the arrows moves the choice");
    await nextStep(5);
    // Who may see it: private unless the resident chooses otherwise; one stop for the group.
    await tabTo("input[name='visibility']", { next: true });
    assert.equal(await page.isChecked("#visibility-private"), true, "private by default");
    await nextStep(6);
    // The photo button comes between urgency and submit; its hidden input shows focus on its label.
    await tabTo("#photo-input", { next: true });
    await nextStep(7);
    if (stepwise) {
      const review = await page.textContent(".review");
      assert.ok(review.includes(DESCRIPTION), `the last step shows what was typed: ${review}`);
      await tabTo("main form button[type=submit]");
    } else {
      await tabTo("main form button[type=submit]", { next: true });
    }
    await kb.press("Enter");

    await page.waitForSelector("#delivery-label");
    await page.waitForFunction(
      () => /#\d+/.test(document.querySelector("#delivery-label")?.textContent ?? ""),
      null,
      { timeout: 30000 },
    );
    const label = await page.textContent("#delivery-label");
    assert.match(label, /#\d+/, "delivered with a number");
    // What was chosen with the keys is what was filed.
    const facts = await page.textContent(".facts");
    assert.ok(facts.includes(DESCRIPTION), `the description is on the report: ${facts}`);
    const soon = ftlMessage("zh-CN", "urgency-soon");
    assert.ok(facts.includes(soon), `the urgency chosen with the arrows (${soon}) is on the report: ${facts}`);
    await page.screenshot({ path: join(out, `keyboard-${theme}-delivered.png`), fullPage: true });
    assert.deepEqual(pageErrors, [], "uncaught errors in the page");
    return { delivered: label.trim(), stops: path.length };
  } finally {
    writeJson(`keyboard-${theme}-focus-path.json`, path);
    await context.close().catch(() => {});
    await host.stop();
  }
}

// The instrument first: faults a person would meet must be flagged, and only those.
test("the focus check flags what a person could not see", async () => {
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const probe = await context.newPage();
  try {
    await probe.setContent(`<!doctype html><html><head><style>
      body { margin: 16px; font: 20px sans-serif; }
      :focus-visible { outline: 3px solid #b34700; }
      #bare:focus-visible { outline: none; }
      #clear:focus-visible { outline: 3px solid transparent; }
      #hair:focus-visible { outline: 1px solid #000; }
      #shadow:focus-visible { outline: none; box-shadow: 0 0 0 4px rgb(0, 80, 200); }
      .hidden-input { position: absolute; width: 1px; height: 1px; opacity: 0; clip-path: inset(50%); }
      #withring:focus-visible + label { outline: 3px solid #b34700; }
      #covered-box { position: relative; }
      #cover { position: absolute; inset: 0; background: #fff; }
    </style></head><body>
      <button id="fine">Fine</button>
      <button id="bare">No ring</button>
      <button id="clear">Transparent ring</button>
      <button id="hair">Hairline</button>
      <button id="shadow">Shadow ring</button>
      <input type="file" id="withring" class="hidden-input"><label for="withring">Photo</label>
      <input type="file" id="noring" class="hidden-input"><label for="noring">Other photo</label>
      <div id="covered-box"><button id="covered">Under a sheet</button><div id="cover"></div></div>
      <button id="far" style="position:absolute;top:3000px">Far below</button>
    </body></html>`);
    const at = async (id) => {
      // Keyboard focus, so :focus-visible applies as it does for a person tabbing.
      await probe.evaluate((i) => {
        document.getElementById(i).focus({ preventScroll: true });
      }, id);
      return probe.evaluate(focusState, `#${id}`);
    };
    await probe.keyboard.press("Tab");
    const fine = await at("fine");
    assert.ok(fine.matches && fine.focusVisible && fine.indicator && fine.inViewport && !fine.coveredBy, JSON.stringify(fine));
    assert.equal((await at("bare")).indicator, null, "outline: none is no indicator");
    assert.equal((await at("clear")).indicator, null, "a transparent outline is no indicator");
    assert.equal((await at("hair")).indicator, null, "a 1 px outline is too thin");
    assert.match((await at("shadow")).indicator ?? "", /^box-shadow/, "a box-shadow ring counts");
    const withRing = await at("withring");
    assert.equal(withRing.drawnOn, "label", "a hidden input's ring drawn on its label counts");
    assert.ok(withRing.indicator, JSON.stringify(withRing));
    assert.equal((await at("noring")).indicator, null, "an outline on an invisible input is no indicator");
    assert.equal((await at("covered")).coveredBy, "div#cover", "a covered control is flagged");
    assert.equal((await at("far")).inViewport, false, "a control outside the viewport is flagged");
  } finally {
    await context.close();
  }
});

for (const theme of ["elderly", "normal"]) {
  test(`keyboard only: sign in and file a report (${theme})`, async () => {
    const result = await keyboardRun(theme);
    console.log(`keyboard ${theme}: ${result.delivered} after ${result.stops} focus stops`);
  });
}
