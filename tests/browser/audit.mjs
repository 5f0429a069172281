#!/usr/bin/env node
// Opens each generated HTML page in headless Chromium (Debian's, never a downloaded build):
// a full-page PNG screenshot, axe-core with the WCAG 2.1 A/AA rules, and a check that every
// in-page link (a[href^="#"]: the table of contents and cross-references) names an existing id.
//
//   node tests/browser/audit.mjs --out SCREENSHOT_DIR [--viewports desktop,phone] PAGE.html [PAGE.html ...]
//
// Each page is seen at every viewport asked for (default: desktop 1280x900 and phone 375x740);
// at each, a full-page screenshot <company>-<lang>-<stem>[-phone].png, an axe run and a list of
// what reaches past the viewport's width; then, in a dark colour scheme at the last viewport,
// another screenshot (-<viewport>-dark.png) and axe run.
// Prints one JSON object per page on its own line:
//   {"page", "screenshot" (the first viewport's), "screenshots": {viewport: path},
//    "anchors", "brokenAnchors": [{href, text}],
//    "violations": {viewport or "<viewport>-dark": [{id, impact, help, helpUrl, nodes: [{target, html, failureSummary}]}]},
//    "overflowing": {viewport: [description]},
//    "blockedRequests": [url], "pageErrors": [message]}
// Exit code: 0 when every page is clean, 1 when any page has a finding, 2 on a usage error or crash.
// The page may load nothing but file: URLs; every other request is aborted and reported.
// CHROMIUM in the environment overrides the browser's path (default: /usr/bin/chromium, else PATH).

import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { guardedPage, launchChromium } from "./chromium.mjs";

const require = createRequire(import.meta.url);
const AXE_SCRIPT = require.resolve("axe-core/axe.min.js");
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const VIEWPORTS = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 375, height: 740 },
};

function usage(message) {
  process.stderr.write(`audit.mjs: ${message}\nusage: node audit.mjs --out SCREENSHOT_DIR [--viewports desktop,phone] PAGE.html [PAGE.html ...]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  let out = null;
  let viewports = Object.keys(VIEWPORTS);
  const pages = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--out" || argv[i] === "--viewports") {
      if (i + 1 >= argv.length) usage(`${argv[i]} needs a value`);
      if (argv[i] === "--out") out = argv[i + 1];
      else viewports = argv[i + 1].split(",").filter(Boolean);
      i += 1;
    } else if (argv[i].startsWith("-")) {
      usage(`unknown option ${argv[i]}`);
    } else {
      pages.push(path.resolve(argv[i]));
    }
  }
  if (!out) usage("--out is required");
  if (pages.length === 0) usage("no pages given");
  for (const name of viewports) {
    if (!(name in VIEWPORTS)) usage(`unknown viewport ${name} (known: ${Object.keys(VIEWPORTS).join(", ")})`);
  }
  if (viewports.length === 0) usage("no viewports given");
  for (const page of pages) {
    if (!existsSync(page)) usage(`no such file: ${page}`);
  }
  return { out: path.resolve(out), viewports, pages };
}


// output/<company>/<lang>/privacy-policy.html -> <company>-<lang>-privacy-policy.png (-phone.png, ...)
function screenshotName(page, viewport, first) {
  const parts = page.split(path.sep);
  const stem = path.basename(page, path.extname(page));
  return `${parts.slice(-3, -1).join("-")}-${stem}${first ? "" : `-${viewport}`}.png`;
}

function summary(violation) {
  return {
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({
      target: node.target,
      html: node.html,
      failureSummary: node.failureSummary,
    })),
  };
}

// Runs in the page: the document must not scroll sideways, and no element may reach past the
// viewport's right edge unless a scroll container (a table's wrapper) clips it.
function widerThanTheViewport() {
  const width = document.documentElement.clientWidth;
  const clipped = (element) => {
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      const overflow = getComputedStyle(parent).overflowX;
      if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") return true;
    }
    return false;
  };
  const found = [];
  if (document.documentElement.scrollWidth > width) found.push(`document scrolls to ${document.documentElement.scrollWidth}px`);
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5) && !clipped(element)) {
      const name = element.tagName.toLowerCase() + (element.id ? `#${element.id}` : "");
      found.push(`${name} spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
    }
  }
  return found.slice(0, 20);
}

// Runs in the page: tables whose wrapper hides part of them, to be scrolled to (allowed on a page,
// with the wrapper's edge shadow; the examples' tables all fit or stack).
function scrolledTables() {
  return [...document.querySelectorAll(".table-wrap")]
    .filter((wrapper) => wrapper.scrollWidth > wrapper.clientWidth + 1)
    .map((wrapper) => `table of ${wrapper.scrollWidth}px in ${wrapper.clientWidth}px`);
}

async function audit(context, file, out, viewports) {
  const { page, blockedRequests, pageErrors } = await guardedPage(
    context,
    (url) => url.startsWith("file:") || url.startsWith("data:"),
  );
  await page.setViewportSize(VIEWPORTS[viewports[0]]);
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });

  const anchors = await page.evaluate(() => {
    const links = [...document.querySelectorAll('a[href^="#"]')];
    const broken = [];
    for (const link of links) {
      const raw = link.getAttribute("href").slice(1);
      let id = raw;
      try {
        id = decodeURIComponent(raw);
      } catch {
        // keep the raw fragment: a malformed escape names no element either
      }
      if (id === "" || document.getElementById(id) === null) {
        broken.push({ href: link.getAttribute("href"), text: link.textContent.trim() });
      }
    }
    return { count: links.length, broken };
  });

  await page.addScriptTag({ path: AXE_SCRIPT });
  const screenshots = {};
  const violations = {};
  const overflowing = {};
  const scrolled = {};
  const runAxe = async () =>
    (
      await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
        WCAG_TAGS,
      )
    ).violations.map(summary);
  for (const [index, viewport] of viewports.entries()) {
    await page.setViewportSize(VIEWPORTS[viewport]);
    screenshots[viewport] = path.join(out, screenshotName(file, viewport, index === 0));
    await page.screenshot({ path: screenshots[viewport], fullPage: true });
    overflowing[viewport] = await page.evaluate(widerThanTheViewport);
    scrolled[viewport] = await page.evaluate(scrolledTables);
    violations[viewport] = await runAxe();
  }
  // The same page as a reader who prefers a dark scheme sees it, at the last viewport.
  await page.emulateMedia({ colorScheme: "dark" });
  const dark = `${viewports[viewports.length - 1]}-dark`;
  screenshots[dark] = path.join(out, screenshotName(file, dark, false));
  await page.screenshot({ path: screenshots[dark], fullPage: true });
  violations[dark] = await runAxe();
  await page.close();

  return {
    page: file,
    screenshot: screenshots[viewports[0]],
    screenshots,
    anchors: anchors.count,
    brokenAnchors: anchors.broken,
    violations,
    overflowing,
    scrolled,
    blockedRequests: [...blockedRequests],
    pageErrors,
  };
}

async function main() {
  const { out, viewports, pages } = parseArgs(process.argv.slice(2));
  mkdirSync(out, { recursive: true });
  const browser = await launchChromium();
  let findings = false;
  try {
    const context = await browser.newContext({ offline: true, serviceWorkers: "block" });
    for (const file of pages) {
      const result = await audit(context, file, out, viewports);
      findings ||=
        Object.values(result.violations).some((list) => list.length > 0) ||
        Object.values(result.overflowing).some((list) => list.length > 0) ||
        result.brokenAnchors.length > 0 ||
        result.blockedRequests.length > 0 ||
        result.pageErrors.length > 0;
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  } finally {
    await browser.close();
  }
  process.exitCode = findings ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`audit.mjs: ${error?.stack ?? error}\n`);
  process.exit(2);
});
