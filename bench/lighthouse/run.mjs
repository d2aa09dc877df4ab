// Lighthouse's four scores (performance, accessibility, best practices, SEO) of a running
// generated site's home, login, registration and a resource's list, in Debian's
// Chromium, with Lighthouse's default mobile settings (a slow 4G network and a 4× slower
// CPU, simulated).
//
//   cd bench/lighthouse && npm ci && node run.mjs http://127.0.0.1:3000 /posts
//
// Prints a Markdown table for bench/RESULTS.md and writes each page's full report to
// bench/out/lighthouse/. Exits 1 when a score is under 95, the aim.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launch } from "chrome-launcher";
import lighthouse from "lighthouse";

const AIM = 95;
const [base, list = "/posts"] = process.argv.slice(2);
if (!base) {
  console.error("usage: node run.mjs BASE_URL [RESOURCE_LIST_PATH]");
  process.exit(2);
}
const out = join(import.meta.dirname, "..", "out", "lighthouse");
mkdirSync(out, { recursive: true });

const pages = [
  ["home", "/"],
  ["login", "/login"],
  ["registration", "/register"],
  ["resource list", list],
];
const categories = ["performance", "accessibility", "best-practices", "seo"];

const chrome = await launch({
  chromePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage"],
});
const rows = [];
let missed = false;
try {
  for (const [name, path] of pages) {
    const result = await lighthouse(new URL(path, base).href, {
      port: chrome.port,
      output: "html",
      onlyCategories: categories,
      logLevel: "error",
    });
    writeFileSync(join(out, `${name.replace(/ /g, "-")}.html`), result.report);
    const scores = categories.map((id) => Math.round(result.lhr.categories[id].score * 100));
    missed ||= scores.some((score) => score < AIM);
    rows.push(`| ${name} (\`${path}\`) | ${scores.join(" | ")} |`);
  }
} finally {
  await chrome.kill();
}

console.log("| page | performance | accessibility | best practices | SEO |");
console.log("|---|---|---|---|---|");
for (const row of rows) console.log(row);
process.exit(missed ? 1 : 0);
