/**
 * Takes the README's picture of the portal (docs/portal.png): signs in to a running portal as a
 * seeded citizen in headless Chromium, at desktop and at phone width, and puts the two side by side.
 *
 *   npm start                          # in another terminal
 *   npx tsx portal/screenshot.ts [--url http://localhost:4100/] [--citizen cit_000008] [--out docs/portal.png]
 *
 * The browser is the one the portal's test uses (portal/browser.ts; CHROMIUM_PATH chooses another).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

/** The signed-in page at one viewport size, scrolled to `anchor` if given, as a PNG. */
async function shoot(browser: Browser, url: string, citizen: string, viewport: { width: number; height: number }, anchor?: string): Promise<Buffer> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  try {
    await page.goto(url);
    await page.getByLabel('Citizen id').fill(citizen);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#identity-heading').waitFor();
    if (anchor) await page.locator(anchor).evaluate((element) => element.scrollIntoView());
    // No focus ring in the picture.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    return await page.screenshot();
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  const url = option('url', 'http://localhost:4100/');
  const citizen = option('citizen', 'cit_000008');
  const out = resolve(option('out', 'docs/portal.png'));
  const browser = await launchChromium();
  try {
    const desktop = await shoot(browser, url, citizen, { width: 1280, height: 1000 });
    const phone = await shoot(browser, url, citizen, { width: 390, height: 844 }, '#timeline');
    const page = await browser.newPage({ viewport: { width: 1760, height: 1080 }, deviceScaleFactor: 1 });
    const image = (png: Buffer, alt: string) => `<img alt="${alt}" src="data:image/png;base64,${png.toString('base64')}">`;
    await page.setContent(`<!doctype html><html><body style="margin:0">
      <div id="shot" style="display:flex;gap:40px;align-items:flex-start;padding:40px;background:#dfe4ea;width:max-content">
        <div style="box-shadow:0 6px 24px rgba(0,0,0,.25)">${image(desktop, 'desktop')}</div>
        <div style="box-shadow:0 6px 24px rgba(0,0,0,.25);border:10px solid #1b1f24;border-radius:28px;overflow:hidden;line-height:0">${image(phone, 'phone')}</div>
      </div></body></html>`);
    writeFileSync(out, await page.locator('#shot').screenshot());
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
  }
}

main().catch((error: Error) => {
  console.error(`screenshot failed: ${error.message}`);
  process.exit(1);
});
