// Harness for the headless Chromium gates: starts the test host (crates/linli-testhost) with
// an embedded platform, starts Debian's Chromium with a DevTools port that Playwright and
// Lighthouse share, and writes results under test-output/browser/.

import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const OUT = join(ROOT, "test-output", "browser");

/** The flags TOOLCHAIN.md lists for Chromium on these machines, plus --hide-scrollbars: phones
 *  draw scrollbars over the page, while headless Chromium's classic 15 px scrollbar narrows the
 *  layout and makes full-page screenshots cut 15 px off the right edge. */
const CHROMIUM_FLAGS = [
  "--hide-scrollbars",
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Every page.goto leaves the previous page of this app in the back/forward cache with its
  // event stream still open; six of them take all of Chromium's connections to the test host
  // and the next page's calls wait. A person never stacks pages like this: the app is one page.
  "--disable-features=BackForwardCache",
];

export function outputDir() {
  mkdirSync(OUT, { recursive: true });
  return OUT;
}

/** Waits until `pattern` appears in the child's `stream`, or fails after `ms`. */
function waitForLine(child, stream, pattern, ms, what) {
  return new Promise((resolveLine, reject) => {
    let seen = "";
    const timer = setTimeout(() => {
      reject(new Error(`${what} did not start within ${ms} ms; it said:\n${seen}`));
    }, ms);
    const onData = (chunk) => {
      seen += chunk.toString();
      const m = seen.match(pattern);
      if (m) {
        clearTimeout(timer);
        child[stream].off("data", onData);
        resolveLine(m);
      }
    };
    child[stream].on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready; it said:\n${seen}`));
    });
  });
}

/** Stops a child started in its own process group (the group: Chromium's wrapper script
 *  starts the browser as a child). */
async function stopGroup(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timeout = new Promise((r) => setTimeout(r, 5000, "timeout"));
  if ((await Promise.race([exited, timeout])) === "timeout") {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }
}

/** Starts target/debug/linli-testhost with an embedded platform; resolves with its URL. */
/** Starts the test host; `args` adds flags (e.g. `--no-speech`, `--text-scale 1.5`). */
export async function startHost(args = []) {
  const bin = process.env.LINLI_TESTHOST ?? join(ROOT, "target", "debug", "linli-testhost");
  if (!existsSync(bin)) {
    throw new Error(`${bin} is missing: build it with \`cargo build -p linli-testhost\` (scripts/test-browser does)`);
  }
  if (!existsSync(join(ROOT, "ui", "dist", "index.html"))) {
    throw new Error("ui/dist is not built: run scripts/build-ui first");
  }
  const child = spawn(
    bin,
    [
      "--ui", join(ROOT, "ui", "dist"),
      "--listen", "127.0.0.1:0",
      "--embedded-platform",
      // One sign-in code after another within seconds (the real 30 s interval has its own test).
      "--code-resend-seconds", "1",
      // Hold the page to the shell's content security policy.
      "--tauri-conf", join(ROOT, "src-tauri", "tauri.conf.json"),
      "--language", "zh-CN",
      ...args,
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      // The core's sync decisions in the log, so a failure shows what the device was doing.
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn,linli_core=info,linli_testhost=info" },
    },
  );
  const log = [];
  child.stderr.on("data", (d) => log.push(d.toString()));
  const [, url] = await waitForLine(child, "stdout", /listening on (http:\/\/\S+)/, 30000, "linli-testhost");
  return {
    url,
    log,
    stop: () => stopGroup(child),
    async code(phone) {
      const r = await fetch(`${url}/testhost/code?phone=${encodeURIComponent(phone)}`);
      if (!r.ok) throw new Error(`no code for ${phone}: ${r.status} ${await r.text()}`);
      return (await r.text()).trim();
    },
    /** What the core was asked to read aloud so far: [{language, text}]. */
    async spoken() {
      const r = await fetch(`${url}/testhost/spoken`);
      if (!r.ok) throw new Error(`no record of speech: ${r.status}`);
      return r.json();
    },
    /** Stops the embedded platform (the device goes offline); the host and core keep running. */
    async stopPlatform() {
      const r = await fetch(`${url}/testhost/platform/stop`, { method: "POST" });
      if (!r.ok) throw new Error(`platform did not stop: ${r.status} ${await r.text()}`);
    },
    /** Staff (or a neighbour) on the platform itself, over its HTTP API: signs `phone` in and
     *  answers `{ token, post(path, body), get(path) }`. */
    async asPerson(phone) {
      const base = (await (await fetch(`${url}/testhost/platform`)).text()).trim();
      const json = async (r, what) => {
        const text = await r.text();
        if (!r.ok) throw new Error(`${what}: ${r.status} ${text}`);
        return text ? JSON.parse(text) : null;
      };
      await json(await fetch(`${base}/v1/auth/otp`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ phone }),
      }), `code for ${phone}`);
      const grant = await json(await fetch(`${base}/v1/auth/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ phone, code: await this.code(phone) }),
      }), `sign-in of ${phone}`);
      const headers = { authorization: `Bearer ${grant.token}`, "content-type": "application/json" };
      return {
        token: grant.token,
        // A new report's idempotency key is its own id, as the platform asks.
        post: async (path, body) =>
          json(await fetch(`${base}${path}`, {
            method: "POST",
            headers: { ...headers, "idempotency-key": path === "/v1/reports" ? body.id : uuidv7() },
            body: JSON.stringify(body ?? {}),
          }), `POST ${path}`),
        get: async (path) => json(await fetch(`${base}${path}`, { headers }), `GET ${path}`),
      };
    },
    /** Starts it again on the same address with the same data; resolves with its URL. */
    async startPlatform() {
      const r = await fetch(`${url}/testhost/platform/start`, { method: "POST" });
      if (!r.ok) throw new Error(`platform did not start: ${r.status} ${await r.text()}`);
      return (await r.text()).trim();
    },
  };
}

/** Starts /usr/bin/chromium headless with a DevTools port; resolves with the port. */
export async function startChromium() {
  const profile = mkdtempSync(join(tmpdir(), "linli-chromium-"));
  const child = spawn(
    process.env.CHROME_PATH ?? "/usr/bin/chromium",
    [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  const [, port] = await waitForLine(child, "stderr", /DevTools listening on ws:\/\/[^:]+:(\d+)\//, 30000, "chromium");
  return {
    port: Number(port),
    async stop() {
      await stopGroup(child);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A small real PNG (solid colour with a square), written to a temp file, for the photo input. */
export function writeTestPng() {
  const width = 96;
  const height = 64;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const inside = x > 32 && x < 64 && y > 16 && y < 48;
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = inside ? 250 : 40;
      raw[o + 1] = inside ? 250 : 140;
      raw[o + 2] = inside ? 250 : 100;
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
  const dir = mkdtempSync(join(tmpdir(), "linli-photo-"));
  const path = join(dir, "leak.png");
  writeFileSync(path, png);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeJson(name, value) {
  writeFileSync(join(outputDir(), name), JSON.stringify(value, null, 2) + "\n");
}

/** The text of a simple (one-line, placeholder-free) Fluent message from locales/<locale>/,
 *  so tests compare what the screen says with the locale rather than a copy of it. */
export function ftlMessage(locale, id) {
  const dir = join(ROOT, "locales", locale);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ftl"))) {
    for (const line of readFileSync(join(dir, file), "utf8").split("\n")) {
      const m = line.match(/^([a-z][a-z0-9-]*)\s*=\s*(.*)$/);
      if (m && m[1] === id) return m[2].trim();
    }
  }
  throw new Error(`no message ${id} in locales/${locale}`);
}

/** A UUIDv7 (time-ordered), the form Linli's ids and idempotency keys take. */
export function uuidv7() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) b[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
