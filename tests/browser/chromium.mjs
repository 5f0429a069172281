// Debian's headless Chromium (never a downloaded build), launched the same way by every browser script.
// CHROMIUM in the environment overrides the browser's path (default: /usr/bin/chromium, else PATH).

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

import { chromium } from "playwright-core";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("Chromium not found: install Debian's chromium or set CHROMIUM");
  }
}

// launch() gives the browser a fresh temporary profile (--user-data-dir) and removes it on close.
export function launchChromium() {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    chromiumSandbox: false,
    timeout: 60_000,
  });
}

// A new tab that may load only what `allowed(url)` accepts; every other request is aborted and
// listed, and the page's uncaught script errors are collected.
export async function guardedPage(context, allowed) {
  const page = await context.newPage();
  const blockedRequests = new Set();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (allowed(url)) return route.continue();
    blockedRequests.add(url);
    return route.abort("blockedbyclient");
  });
  return { page, blockedRequests, pageErrors };
}
