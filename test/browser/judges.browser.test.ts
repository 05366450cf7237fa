import type { Browser } from 'playwright-core';
import { CHROMIUM, haveChromium, haveVnu, launchChromium, PHONE, DESKTOP, seriousAxeViolations, vnuErrors } from '../support/browser';

// The judges the browser checks rely on find what they are there to find: a page that passes
// them all says something only if a bad page fails them.

const describeInBrowser = haveChromium ? describe : describe.skip;

// An unlabelled field, an image with no text, grey on white, and a box that scrolls but cannot
// be reached from the keyboard (the signup form's old authorization box).
const BAD_PAGE = `<!doctype html><html lang="en"><head><title>Bad</title></head><body><main><h1>Bad</h1>
<input type="text"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#ddd;background:#fff">hard to read</p>
<div style="overflow:auto;height:3em"><p>one</p><p>two</p><p>three</p><p>four</p></div>
</main></body></html>`;

describeInBrowser(`the browser checks' judges${haveChromium ? '' : ` (SKIPPED: ${CHROMIUM} is not installed)`}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('axe-core finds the serious and critical violations at both sizes, once put into the page', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    try {
      await page.setContent(BAD_PAGE);
      for (const viewport of [PHONE, DESKTOP]) {
        await page.setViewportSize(viewport);
        const found = await seriousAxeViolations(page);
        expect(found.map((finding) => finding.id).sort()).toEqual(['color-contrast', 'image-alt', 'label', 'scrollable-region-focusable']);
        expect(found.find((finding) => finding.id === 'label')).toMatchObject({ impact: 'critical', targets: ['input'] });
      }
      await page.setContent('<!doctype html><html lang="en"><head><title>Good</title></head><body><main><h1>Good</h1><label>Name <input type="text"></label></main></body></html>');
      expect(await seriousAxeViolations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });

  (haveVnu ? test : test.skip)('the Nu HTML Checker names the page with an error', async () => {
    const errors = await vnuErrors(new Map([
      ['good', '<!doctype html><html lang="en"><head><title>Good</title></head><body><p>Fine</p></body></html>'],
      ['bad', '<!doctype html><html lang="en"><head><title>Bad</title></head><body><span><div>a block in a phrase</div></span></body></html>'],
    ]));
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors.map((error) => error.page))).toEqual(new Set(['bad']));
  }, 60_000);
});
