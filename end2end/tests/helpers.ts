import { expect, test, type Page } from '@playwright/test';

/** Waits until the wasm app has hydrated the page (the app marks <body>), unless this project runs without JavaScript. */
export async function waitForHydration(page: Page): Promise<void> {
  if (test.info().project.use.javaScriptEnabled !== false) {
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  }
}

/** A name no other test or run uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Collects console errors and uncaught exceptions of Weiqiao's own pages (not the emulator's). */
export function failOnConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  const ours = (url: string) => url.startsWith(test.info().project.use.baseURL ?? '');
  page.on('console', (msg) => {
    if (msg.type() === 'error' && ours(page.url())) errors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}
