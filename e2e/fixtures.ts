import { test as base, type Page } from '@playwright/test';

export { expect } from '@playwright/test';

/**
 * Waits, after a navigation that returned a page, until React has hydrated it (`<html data-hydrated>`,
 * set by components/shell/hydration-mark.tsx). Before that, a click on a client button is lost: on a busy
 * machine a spec could open a dialog that never opened.
 */
export async function waitForHydration(page: Page): Promise<void> {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout: 0 });
}

/** `test` whose `page.goto` returns only once the page it loaded is interactive. */
export const test = base.extend({
  page: async ({ page }, provide) => {
    const goto = page.goto.bind(page);
    page.goto = async (url, options) => {
      const response = await goto(url, options);
      if (response?.headers()['content-type']?.startsWith('text/html')) await waitForHydration(page);
      return response;
    };
    await provide(page);
  },
});
