#!/usr/bin/env node
// Opens pages of a site served on 127.0.0.1 in headless Chromium and follows every link on them,
// as a visitor would: the language switch, the contents, the downloads.
//
//   node tests/browser/crawl.mjs [--screenshot FILE] URL [URL ...]
//
// Prints one JSON object per page on its own line:
//   {"url", "status", "lang",
//    "links": [{"href", "text", "hreflang", "url", "status", "contentType", "lang", "anchorFound"}],
//    "blockedRequests": [url], "pageErrors": [message]}
// A link is followed when it stays on the site: its status and content type, and for a page
// its <html lang> and whether the #fragment it names exists there (null without a fragment).
// Links elsewhere (mailto:, other hosts) are listed with status null: nothing leaves 127.0.0.1.
// --screenshot FILE saves the first page as a 1280x800 PNG. Exit code: 0, or 2 on a crash.

import { guardedPage, launchChromium } from "./chromium.mjs";

function parseArgs(argv) {
  let screenshot = null;
  const urls = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === "--screenshot" && i + 1 < argv.length) {
      screenshot = argv[i + 1];
      i += 1;
    } else if (argv[i].startsWith("-")) {
      throw new Error(`unknown option ${argv[i]}`);
    } else {
      urls.push(argv[i]);
    }
  }
  if (urls.length === 0) throw new Error("usage: node crawl.mjs [--screenshot FILE] URL [URL ...]");
  return { screenshot, urls };
}

function isLocal(url) {
  const { protocol, hostname } = new URL(url);
  return protocol === "data:" || (["http:", "https:"].includes(protocol) && hostname === "127.0.0.1");
}

async function openPage(context, url) {
  const { page, blockedRequests, pageErrors } = await guardedPage(context, isLocal);
  const response = await page.goto(url, { waitUntil: "load" });
  return { page, response, blockedRequests, pageErrors };
}

async function hasElement(page, fragment) {
  if (!fragment) return null;
  let id = fragment.slice(1);
  try {
    id = decodeURIComponent(id);
  } catch {
    // a malformed escape names no element either
  }
  return page.evaluate((wanted) => wanted !== "" && document.getElementById(wanted) !== null, id);
}

// Every target is fetched once; pages are opened to read their language and find fragments.
async function follow(context, from, link, seen) {
  const target = new URL(link.url);
  const fragment = target.hash;
  target.hash = "";
  if (target.href === from.url().split("#")[0]) {
    return { status: 200, contentType: "text/html", lang: null, anchorFound: await hasElement(from, fragment) };
  }
  if (!seen.has(target.href)) {
    const response = await context.request.get(target.href, { maxRedirects: 5 });
    const contentType = (response.headers()["content-type"] ?? "").split(";")[0];
    seen.set(target.href, { status: response.status(), contentType, opened: null });
  }
  const known = seen.get(target.href);
  if (known.status !== 200 || known.contentType !== "text/html") {
    return { status: known.status, contentType: known.contentType, lang: null, anchorFound: null };
  }
  known.opened ??= await openPage(context, target.href);
  const lang = await known.opened.page.evaluate(() => document.documentElement.lang);
  return { status: known.status, contentType: known.contentType, lang, anchorFound: await hasElement(known.opened.page, fragment) };
}

async function crawl(context, url, screenshot) {
  const opened = await openPage(context, url);
  const { page } = opened;
  if (screenshot) await page.screenshot({ path: screenshot });
  const found = await page.evaluate(() =>
    [...document.querySelectorAll("a[href]")].map((link) => ({
      href: link.getAttribute("href"),
      text: link.textContent.trim(),
      hreflang: link.getAttribute("hreflang"),
      url: link.href,
    })),
  );
  const seen = new Map();
  const links = [];
  for (const link of found) {
    const local = isLocal(link.url) && !link.url.startsWith("data:");
    const followed = local ? await follow(context, page, link, seen) : { status: null, contentType: null, lang: null, anchorFound: null };
    links.push({ ...link, ...followed });
  }
  for (const known of seen.values()) await known.opened?.page.close();
  const result = {
    url,
    status: opened.response?.status() ?? null,
    lang: await page.evaluate(() => document.documentElement.lang),
    links,
    blockedRequests: [...opened.blockedRequests],
    pageErrors: opened.pageErrors,
  };
  await page.close();
  return result;
}

async function main() {
  const { screenshot, urls } = parseArgs(process.argv.slice(2));
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ serviceWorkers: "block", viewport: { width: 1280, height: 800 } });
    for (const [index, url] of urls.entries()) {
      process.stdout.write(`${JSON.stringify(await crawl(context, url, index === 0 ? screenshot : null))}\n`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`crawl.mjs: ${error?.stack ?? error}\n`);
  process.exit(2);
});
