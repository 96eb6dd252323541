import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Browser, Page } from "playwright-core";

/** Debian's chromium: /usr/bin/chromium, else the `chromium` on PATH (.ci/run installs it when missing). */
export function chromiumPath(): string {
  if (fs.existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Where the tests leave their screenshots (test artifacts): ~/vwatch-screenshots/. */
export const SCREENSHOTS = path.join(os.homedir(), "vwatch-screenshots");

/** A page that records every console error and uncaught exception. */
export async function watchedPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return { page, errors };
}

/** The JSON a page embeds in `<script type="application/json" id=…>`. */
export async function embedded<T = any>(page: Page, id: string): Promise<T> {
  return JSON.parse((await page.locator(`script#${id}`).textContent()) ?? "null");
}
