// Drives headless Chromium (Debian's, never a downloaded one) over a built
// site, as a reader would. Usage: node site.mjs BOOK_DIR SCREENSHOT_DIR
// Exits non-zero with a message on the first check that fails.
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [book, shots] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const url = (rel) => pathToFileURL(path.join(book, rel)).href;
const article = "csp-software-subscriptions.html";

function check(ok, what) {
  if (!ok) throw new Error(what);
  console.log(`ok - ${what}`);
}

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  // 1. A Japanese reader opening the site lands on ja-JP.
  const ja = await browser.newContext({ locale: "ja-JP", viewport: { width: 1280, height: 900 } });
  const page = await ja.newPage();
  await page.goto(url("index.html"));
  await page.waitForURL(/\/ja-JP\/index\.html$/, { timeout: 10000 });
  check(page.url().endsWith("/ja-JP/index.html"), "a ja-JP browser lands on ja-JP");
  check((await page.getAttribute("html", "lang")) === "ja-JP", "the page says lang=ja-JP");

  // 2. The switcher leads to the same article in English.
  await page.goto(url(`ja-JP/${article}`));
  await page.click('a.rulebook-switch[hreflang="en"]');
  await page.waitForURL(new RegExp(`/en/${article.replace(".", "\\.")}$`), { timeout: 10000 });
  check(page.url().endsWith(`/en/${article}`), "the switcher lands on the same article in en");

  // 3. The out-of-date banner shows on the ja-JP article.
  await page.goto(url(`ja-JP/${article}`));
  check(await page.locator(".rulebook-banner").isVisible(), "the banner is visible on ja-JP");
  await page.screenshot({ path: path.join(shots, "ja-JP-article.png"), fullPage: false });

  // 4. Search finds the article by a Japanese and a Chinese market name.
  for (const [locale, query] of [["ja-JP", "アルゼンチン"], ["zh-TW", "阿根廷"]]) {
    await page.goto(url(`${locale}/rules.html`));
    await page.fill("#rulebook-search-input", query);
    const hit = page.locator(`#rulebook-search-results a[href="${article}"]`);
    await hit.waitFor({ timeout: 5000 });
    check(await hit.isVisible(), `searching ${query} on ${locale} finds the article`);
    if (locale === "zh-TW") await page.screenshot({ path: path.join(shots, "zh-TW-search.png") });
  }

  // 5. Content holding the search box's ids and the banner's class changes
  //    nothing: one element of each id, no banner on the source locale's
  //    page, and search works.
  const en = await browser.newContext({ locale: "en-US" });
  const enPage = await en.newPage();
  const errors = [];
  enPage.on("pageerror", (e) => errors.push(String(e)));
  await enPage.goto(url(`en/${article}`));
  const ids = await enPage.evaluate(() => [
    document.querySelectorAll("#rulebook-search-input").length,
    document.querySelectorAll("#rulebook-search-results").length,
    document.querySelectorAll(".rulebook-banner").length,
    document.body.textContent.includes("Fake banner."),
  ]);
  check(ids[0] === 1 && ids[1] === 1, "content holding the search box's ids twice leaves one of each");
  check(ids[2] === 0 && ids[3], "content cannot fake the banner (its text stays, the class goes)");
  const argentina = enPage.locator(`#rulebook-search-results a[href="${article}"]`);
  await enPage.fill("#rulebook-search-input", "Argentina");
  await argentina.waitFor({ timeout: 5000 });
  check(await argentina.isVisible(), "search works on a page whose content holds its ids");

  // 6. Queries that name Object.prototype's properties find pages or
  //    nothing, never throw, and search keeps working after them.
  for (const query of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf",
    "constructor Argentina", "Argentina __proto__ prototype"]) {
    await enPage.fill("#rulebook-search-input", query);
    await enPage.locator("#rulebook-search-results li").first().waitFor({ timeout: 5000 });
    check(errors.length === 0, `query ${JSON.stringify(query)} throws nothing (${errors.join("; ")})`);
  }
  await enPage.fill("#rulebook-search-input", "Argentina");
  await argentina.waitFor({ timeout: 5000 });
  check(await argentina.isVisible() && errors.length === 0,
    "search still finds the article after `constructor`, `__proto__`, `toString` …");

  // 7. Without a matching language, the picker stays and lists every locale.
  const other = await browser.newContext({ locale: "fr-FR" });
  const picker = await other.newPage();
  await picker.goto(url("index.html"));
  const links = await picker.locator("#rulebook-locales a").count();
  check(picker.url().endsWith("/index.html") && !picker.url().includes("/en/") && links === 3,
    "an fr-FR browser stays on the picker with 3 languages");
} finally {
  await browser.close();
}
