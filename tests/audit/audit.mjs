// Audits a running generated site in a real browser, as a visitor and as staff, in the
// light and dark schemes, at 1280 and 390 px wide:
//
// - axe-core on every page it can reach by links (and on the pages a refused form
//   shows): no violation of any rule;
// - the Nu HTML checker (vnu.jar, run with the machine's Java) on every page's HTML as
//   the server sent it: no error;
// - no page scrolls sideways at 390 px, and no page logs a console error (a blocked
//   style or script, a missing icon);
// - a screenshot of every page at both widths in both schemes.
//
//   node audit.mjs BASE_URL OUT_DIR     (AUDIT_EMAIL, AUDIT_PASSWORD: a staff user)
//
// Writes OUT_DIR/report.json and OUT_DIR/screenshots/, prints what failed and exits 1
// when anything did. tests/e2e.rs runs it against the full site.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const VNU_JAR = require.resolve("vnu-jar/build/dist/vnu.jar");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

const [base, out] = process.argv.slice(2);
const email = process.env.AUDIT_EMAIL;
const password = process.env.AUDIT_PASSWORD;
if (!base || !out || !email || !password) {
  console.error("usage: AUDIT_EMAIL=... AUDIT_PASSWORD=... node audit.mjs BASE_URL OUT_DIR");
  process.exit(2);
}

/** How many pages of one kind (`/posts/N/edit`) a session audits: rows differ in their
 *  data, not in their markup. */
const PER_KIND = 2;
/** A bound on the pages one session crawls, far above a generated site's kinds. */
const MAX_PAGES = 400;
/** Error pages to see as well, each with its status: an unknown path, and a GET of a
 *  form's POST-only address (the page every other refusal shares). */
const REFUSALS = new Map([
  ["/no-such-page", 404],
  ["/logout", 405],
]);
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 390, height: 844 };

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "screenshots"), { recursive: true });
mkdirSync(join(out, "html"), { recursive: true });

const problems = [];
const audited = [];
const sources = new Map(); // file name -> the page it holds

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  for (const scheme of ["light", "dark"]) {
    for (const who of ["visitor", "staff"]) {
      await auditSession(scheme, who);
    }
  }
} finally {
  await browser.close();
}
validateHtml();

writeFileSync(join(out, "report.json"), JSON.stringify({ audited, problems }, null, 2));
console.log(`audited ${audited.length} page views; ${problems.length} problem(s)`);
for (const problem of problems) {
  console.log(`- ${problem}`);
}
process.exit(problems.length === 0 ? 0 : 1);

/** Crawls the site in one browser context and audits each page it finds. */
async function auditSession(scheme, who) {
  const context = await browser.newContext({ colorScheme: scheme, viewport: WIDE });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  if (who === "staff") {
    await logIn(page);
  }

  const check = async (name, response, expectedStatus) => {
    const status = response?.status() ?? 0;
    const label = `${scheme}/${who} ${name}`;
    if (expectedStatus !== undefined ? status !== expectedStatus : status >= 400) {
      problems.push(`${label}: status ${status}`);
    }
    const errors = consoleErrors.splice(0).filter(
      // A refusal's own status shows as a failed load of the page itself.
      (text) => !(status >= 400 && text.includes("Failed to load resource")),
    );
    for (const text of errors) problems.push(`${label}: console error: ${text}`);
    const html = response ? await response.text() : await page.content();
    const file = `${String(sources.size).padStart(3, "0")}.html`;
    writeFileSync(join(out, "html", file), html);
    sources.set(file, label);
    for (const viewport of [WIDE, NARROW]) {
      await page.setViewportSize(viewport);
      for (const violation of await runAxe(page)) {
        const where = violation.nodes.map((node) => node.target.join(" ")).slice(0, 3);
        problems.push(
          `${label} at ${viewport.width}px: axe ${violation.id} (${violation.impact}): ${violation.help} — ${where.join(", ")}`,
        );
      }
      if (viewport === NARROW) {
        const [scroll, client] = await page.evaluate(() => [
          document.documentElement.scrollWidth,
          document.documentElement.clientWidth,
        ]);
        if (scroll > client) {
          problems.push(`${label}: scrolls sideways at 390px (${scroll}px wide)`);
        }
      }
      const shot = `${scheme}-${who}-${viewport.width}-${slug(name)}.png`;
      await page.screenshot({ path: join(out, "screenshots", shot), fullPage: true });
    }
    await page.setViewportSize(WIDE);
    audited.push(label);
  };

  // Every page reachable by links from the home page (and, for staff, the admin).
  const queue = [new URL("/", base).href, ...[...REFUSALS.keys()].map((path) => new URL(path, base).href)];
  if (who === "staff") queue.push(new URL("/admin", base).href);
  const seen = new Set(queue);
  const kinds = new Map();
  const forms = [];
  while (queue.length > 0 && seen.size <= MAX_PAGES) {
    const url = queue.shift();
    const response = await page.goto(url);
    const path = new URL(url).pathname + new URL(url).search;
    await check(path, response, REFUSALS.get(path));
    for (const link of await links(page)) {
      const kind = kindOf(link);
      if (!seen.has(link) && seen.size < MAX_PAGES && (kinds.get(kind) ?? 0) < PER_KIND) {
        seen.add(link);
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        queue.push(link);
      }
    }
    if (path.endsWith("/new") || path === "/login" || path === "/register") forms.push(url);
  }

  // Each form, refused: what a visitor sees when they must fix something.
  for (const url of forms) {
    await page.goto(url);
    const path = new URL(url).pathname;
    const form = page.locator(`form[action="${path}"]`);
    if ((await form.count()) === 0) continue;
    await form.evaluate((element) => {
      element.noValidate = true;
    });
    if (path === "/login") {
      await form.locator('input[name="email"]').fill("nobody@example.com");
      await form.locator('input[name="password"]').fill("not-the-password-1");
    } else if (path === "/register") {
      await form.locator('input[name="email"]').fill("not an email");
      await form.locator('input[name="password"]').fill("password");
    } else {
      for (const input of await form.locator("input:not([type=hidden]):not([type=checkbox]), textarea").all()) {
        await input.fill("");
      }
    }
    const [response] = await Promise.all([
      page.waitForNavigation(),
      form.locator('button[type="submit"]').first().click(),
    ]);
    const expected = path === "/login" ? undefined : 422;
    await check(`${path} refused`, response, expected);
  }
  await context.close();
}

/** Logs in as the staff user through the login form. */
async function logIn(page) {
  await page.goto(new URL("/login", base).href);
  await page.locator('form[action="/login"] input[name="email"]').fill(email);
  await page.locator('form[action="/login"] input[name="password"]').fill(password);
  await Promise.all([
    page.waitForNavigation(),
    page.locator('form[action="/login"] button[type="submit"]').click(),
  ]);
  if ((await page.locator('form[action="/logout"]').count()) === 0) {
    throw new Error(`could not log in as ${email}`);
  }
}

/** The site's own pages a page links to: no assets, no other sites, no fragments. */
async function links(page) {
  const hrefs = await page.$$eval("a[href]", (anchors) => anchors.map((a) => a.href));
  const origin = new URL(base).origin;
  return hrefs
    .map((href) => {
      const url = new URL(href);
      url.hash = "";
      return url;
    })
    .filter((url) => url.origin === origin && !url.pathname.startsWith("/static/"))
    .filter((url) => !/\.(css|js|png|svg|ico|txt)$/.test(url.pathname))
    .map((url) => url.href);
}

/** axe-core's violations on the page as it is shown now. */
async function runAxe(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ["violations"] }),
  );
  return results.violations;
}

/** Runs the Nu HTML checker once on every page's HTML; each error is a problem. */
function validateHtml() {
  const files = [...sources.keys()].map((file) => join(out, "html", file));
  if (files.length === 0) return;
  const output = execFileSync(
    "java",
    ["-jar", VNU_JAR, "--errors-only", "--format", "json", "--stdout", "--exit-zero-always", ...files],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  for (const message of JSON.parse(output).messages) {
    if (message.type !== "error") continue;
    const file = message.url?.split("/").pop();
    const label = sources.get(file) ?? file;
    problems.push(`${label}: HTML line ${message.lastLine}: ${message.message} (${message.extract?.trim() ?? ""})`);
  }
}

/** What a page is, whatever row it shows: its path with each number as `N`, and the
 *  names of its query's parameters. */
function kindOf(link) {
  const url = new URL(link);
  const parameters = [...url.searchParams.keys()].sort().join("&");
  return `${url.pathname.replace(/\d+/g, "N")}?${parameters}`;
}

function slug(name) {
  return name.replace(/^\//, "").replace(/[^a-zA-Z0-9]+/g, "-").replace(/^-|-$/g, "") || "home";
}
