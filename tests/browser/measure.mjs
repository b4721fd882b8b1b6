// The elderly-mode measurement pass (issue 3): runs inside the page (page.evaluate), reads
// computed styles and boxes, and returns numbers plus the worst offenders. What counts:
//
// - Text: every text node with non-blank content whose box is on the page (not inside a
//   1-pixel "visually hidden" wrapper, not moved off-screen like the skip link until focused),
//   plus the text shown by form controls (an input's value or placeholder, a select's chosen
//   option). Font size is the computed font-size of its element. Headings (h1-h6) must also be
//   larger than the body's own font size. Line height (computed line-height / font-size,
//   `normal` counted as 1.2) is checked for running text: not in headings, and not in the
//   one-line labels of controls (buttons, links, labels, inputs, selects).
// - Targets: a, button, input (not hidden), select, textarea, summary, [role=button|link|
//   checkbox|radio|switch|tab|menuitem], [tabindex >= 0]. A radio, checkbox or file input
//   counts as ONE target together with its <label>s: the bounding box of the input (when drawn)
//   and its labels, since a tap on any of them operates it; those labels are not counted again.
//   Targets must be at least 60x60 CSS px. Gap: for each target, the distance to the nearest
//   other target (0 when boxes overlap; pairs where one box contains the other, as a button
//   inside a link, are skipped), at least 8 px.
// - Contrast: each text's computed colour against its effective background, found by walking
//   up the ancestors and blending their background colours (and opacity) over white until
//   opaque. A background image or gradient on the way makes the result "unknown" (listed, not
//   passed silently). Disabled controls are listed apart (WCAG exempts them). At least 7:1.
//   Text over a positioned sibling (not an ancestor) is not seen by this method.
export function measureInPage(limits) {
  const round = (n) => Math.round(n * 100) / 100;

  function describe(el) {
    if (!el || el.nodeType !== 1) return String(el);
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const cls = (el.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean);
    if (cls.length) s += "." + cls.join(".");
    const parent = el.parentElement;
    if (parent && parent !== document.body && !el.id) s = describe(parent) + " > " + s;
    return s;
  }

  function onPage(el) {
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const r = a.getBoundingClientRect();
      const cs = getComputedStyle(a);
      const clipped = cs.overflow !== "visible" || cs.clip !== "auto" || cs.clipPath !== "none";
      if (clipped && (r.width < 2 || r.height < 2)) return false;
    }
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) return false;
    if (r.right + scrollX <= 0 || r.bottom + scrollY <= 0) return false;
    return true;
  }

  // --- colour -------------------------------------------------------------------------------
  function parseColor(c) {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(parseFloat);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  }
  const over = (top, under) => {
    const a = top.a + under.a * (1 - top.a);
    if (a === 0) return { r: 0, g: 0, b: 0, a: 0 };
    const mix = (t, u) => (t * top.a + u * under.a * (1 - top.a)) / a;
    return { r: mix(top.r, under.r), g: mix(top.g, under.g), b: mix(top.b, under.b), a };
  };
  function luminance(c) {
    const ch = (v) => {
      v /= 255;
      return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
  }
  function background(el) {
    // Collect layers from the element up; blend from the canvas (white) down to the element.
    const layers = [];
    let unknown = null;
    for (let a = el; a; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.backgroundImage && cs.backgroundImage !== "none") {
        unknown = describe(a) + " has background-image " + cs.backgroundImage.slice(0, 60);
      }
      const bg = parseColor(cs.backgroundColor);
      if (bg && bg.a > 0) layers.push(bg);
      if (bg && bg.a >= 1) break;
    }
    let color = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = layers.length - 1; i >= 0; i--) color = over(layers[i], color);
    return { color, unknown };
  }
  function opacityOf(el) {
    let o = 1;
    for (let a = el; a; a = a.parentElement) o *= parseFloat(getComputedStyle(a).opacity);
    return o;
  }
  function contrast(el, pseudo) {
    const fg = parseColor(getComputedStyle(el, pseudo).color);
    const { color: bg, unknown } = background(el);
    fg.a *= opacityOf(el);
    const shown = over(fg, bg);
    const l1 = luminance(shown);
    const l2 = luminance(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    return { ratio: round(ratio), unknown };
  }

  // --- text ---------------------------------------------------------------------------------
  const texts = [];
  const bodySize = parseFloat(getComputedStyle(document.body).fontSize);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.replace(/\s+/g, " ").trim();
    const el = n.parentElement;
    if (!text || !el || el.closest("script, style, template, option, svg, noscript")) continue;
    if (!onPage(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    if (![...range.getClientRects()].some((r) => r.width > 1 && r.height > 1)) continue;
    texts.push({ el, text, pseudo: null });
  }
  for (const el of document.querySelectorAll("input, textarea, select")) {
    if (["hidden", "radio", "checkbox", "file", "range", "color"].includes(el.type)) continue;
    if (!onPage(el)) continue;
    if (el.tagName === "SELECT") {
      const opt = el.selectedOptions[0];
      if (opt && opt.text.trim()) texts.push({ el, text: opt.text.trim(), pseudo: null });
    } else if (el.value) {
      texts.push({ el, text: el.value, pseudo: null });
    } else if (el.placeholder) {
      texts.push({ el, text: el.placeholder, pseudo: "::placeholder" });
    }
  }
  const textRows = texts.map(({ el, text, pseudo }) => {
    const cs = getComputedStyle(el, pseudo);
    const size = parseFloat(cs.fontSize);
    const lh = cs.lineHeight === "normal" ? 1.2 : parseFloat(cs.lineHeight) / size;
    const heading = !!el.closest("h1, h2, h3, h4, h5, h6, [role=heading]");
    const control = !!el.closest("button, a, label, input, select, textarea, summary, [role=button]");
    const disabled = !!el.closest(":disabled, [aria-disabled=true]");
    const c = contrast(el, pseudo);
    return {
      element: describe(el),
      text: text.slice(0, 40),
      fontSize: round(size),
      lineHeight: round(lh),
      heading,
      running: !heading && !control,
      disabled,
      contrast: c.ratio,
      contrastUnknown: c.unknown,
    };
  });

  // --- targets ------------------------------------------------------------------------------
  const interactive = [
    "a[href]", "button", "input:not([type=hidden])", "select", "textarea", "summary",
    "[role=button]", "[role=link]", "[role=checkbox]", "[role=radio]", "[role=switch]",
    "[role=tab]", "[role=menuitem]",
  ].join(", ");
  const selector = interactive + ", [tabindex]";
  const counted = new Set();
  const targets = [];
  for (const el of document.querySelectorAll(selector)) {
    if (counted.has(el)) continue;
    // tabindex=-1 only lets scripts move focus there (main, notices): not a target.
    if (!el.matches(interactive) && el.tabIndex < 0) continue;
    const combined = ["radio", "checkbox", "file"].includes(el.type) && el.labels && el.labels.length;
    let parts = [];
    if (combined) {
      for (const label of el.labels) {
        counted.add(label);
        if (onPage(label)) parts.push(label);
      }
      if (onPage(el)) parts.push(el);
    } else if (el.tagName === "LABEL") {
      continue;
    } else if (onPage(el)) {
      parts.push(el);
    }
    counted.add(el);
    if (!parts.length) continue;
    const rects = parts.map((p) => p.getBoundingClientRect());
    const box = {
      left: Math.min(...rects.map((r) => r.left)) + scrollX,
      top: Math.min(...rects.map((r) => r.top)) + scrollY,
      right: Math.max(...rects.map((r) => r.right)) + scrollX,
      bottom: Math.max(...rects.map((r) => r.bottom)) + scrollY,
    };
    targets.push({
      element: describe(el) + (combined ? " (with its label)" : ""),
      width: round(box.right - box.left),
      height: round(box.bottom - box.top),
      box,
    });
  }
  const contains = (a, b) =>
    a.left <= b.left && a.top <= b.top && a.right >= b.right && a.bottom >= b.bottom;
  for (const t of targets) {
    let best = Infinity;
    let nearest = null;
    for (const u of targets) {
      if (u === t || contains(t.box, u.box) || contains(u.box, t.box)) continue;
      const dx = Math.max(0, u.box.left - t.box.right, t.box.left - u.box.right);
      const dy = Math.max(0, u.box.top - t.box.bottom, t.box.top - u.box.bottom);
      const gap = dx > 0 && dy > 0 ? Math.hypot(dx, dy) : Math.max(dx, dy);
      if (gap < best) {
        best = gap;
        nearest = u.element;
      }
    }
    t.gap = best === Infinity ? null : round(best);
    t.nearest = nearest;
  }

  // --- verdict ------------------------------------------------------------------------------
  const failures = [];
  const enabled = textRows.filter((r) => !r.disabled);
  for (const r of enabled) {
    if (r.fontSize < limits.minFontPx) failures.push(`font ${r.fontSize}px < ${limits.minFontPx}px: ${r.element} "${r.text}"`);
    if (r.heading && r.fontSize <= bodySize) failures.push(`heading ${r.fontSize}px not larger than body ${bodySize}px: ${r.element}`);
    if (r.running && r.lineHeight < limits.minLineHeight) failures.push(`line height ${r.lineHeight} < ${limits.minLineHeight}: ${r.element} "${r.text}"`);
    if (r.contrastUnknown) failures.push(`contrast unknown (${r.contrastUnknown}): ${r.element} "${r.text}"`);
    else if (r.contrast < limits.minContrast) failures.push(`contrast ${r.contrast}:1 < ${limits.minContrast}:1: ${r.element} "${r.text}"`);
  }
  for (const t of targets) {
    if (t.width < limits.minTargetPx || t.height < limits.minTargetPx) failures.push(`target ${t.width}x${t.height} < ${limits.minTargetPx}: ${t.element}`);
    if (t.gap !== null && t.gap < limits.minGapPx) failures.push(`gap ${t.gap}px < ${limits.minGapPx}px: ${t.element} to ${t.nearest}`);
  }
  const min = (rows, key) => rows.reduce((m, r) => (m === null || r[key] < m[key] ? r : m), null);
  const smallestFont = min(enabled, "fontSize");
  const lowestContrast = min(enabled.filter((r) => !r.contrastUnknown), "contrast");
  const tightestLine = min(enabled.filter((r) => r.running), "lineHeight");
  const smallestTarget = targets.reduce(
    (m, t) => (m === null || Math.min(t.width, t.height) < Math.min(m.width, m.height) ? t : m),
    null,
  );
  const smallestGap = min(targets.filter((t) => t.gap !== null), "gap");
  return {
    bodyFontSize: bodySize,
    counts: { texts: textRows.length, targets: targets.length },
    smallest: {
      fontSize: smallestFont && { px: smallestFont.fontSize, element: smallestFont.element, text: smallestFont.text },
      lineHeight: tightestLine && { ratio: tightestLine.lineHeight, element: tightestLine.element },
      target: smallestTarget && { width: smallestTarget.width, height: smallestTarget.height, element: smallestTarget.element },
      gap: smallestGap && { px: smallestGap.gap, element: smallestGap.element, nearest: smallestGap.nearest },
      contrast: lowestContrast && { ratio: lowestContrast.contrast, element: lowestContrast.element, text: lowestContrast.text },
    },
    failures,
    texts: textRows,
    targets: targets.map(({ box, ...t }) => t),
  };
}
