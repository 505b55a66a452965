import { readFileSync } from 'node:fs';
import path from 'node:path';
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
  const ours = (url: string) => url.startsWith(MAIN.baseURL) || url.startsWith(CLOCK.baseURL);
  page.on('console', (msg) => {
    if (msg.type() === 'error' && ours(page.url())) errors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

/** One sandbox: a server, its emulator, and the data directory it writes (playwright.config.ts). */
export interface Sandbox {
  baseURL: string;
  sim: string;
  dataDir: string;
}

/** The sandbox every test shares; nobody moves its clock. */
export const MAIN: Sandbox = { baseURL: 'http://127.0.0.1:3100', sim: 'http://127.0.0.1:4100', dataDir: 'target/e2e' };

/**
 * The sandbox for tests that move WeChat's clock (`test.use({ baseURL: CLOCK.baseURL })`);
 * each such test makes its own company and account there, and checks only
 * what its own jump explains.
 */
export const CLOCK: Sandbox = { baseURL: 'http://127.0.0.1:3101', sim: 'http://127.0.0.1:4101', dataDir: 'target/e2e-clock' };

/** The sandbox's demo admin, as the server generated it for this run. */
export function demoAdmin(sandbox: Sandbox = MAIN): { login: string; password: string } {
  const file = path.resolve(__dirname, '../..', sandbox.dataDir, 'data/sandbox.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as { admin_password: string };
  return { login: 'demo', password: data.admin_password };
}

/** Signs the page's browser context in as the demo admin, with the form post a browser sends. */
export async function signIn(page: Page, sandbox: Sandbox = MAIN): Promise<void> {
  const { login, password } = demoAdmin(sandbox);
  const response = await page.request.post(`${sandbox.baseURL}/login`, {
    form: { login, password, next: '/' },
    headers: { Origin: sandbox.baseURL },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(303);
  expect(response.headers()['location']).toBe('/');
}

/** The sandbox emulator's control API (WECHAT_SIM_LISTEN in playwright.config.ts). */
export const SIM = MAIN.sim;

/**
 * A new account at the emulator, for the calling test alone (an account
 * belongs to one company, so tests never share one); returns its appid and nickname.
 */
export async function newAccount(
  page: Page,
  kind: 'official_account' | 'mini_program',
  sandbox: Sandbox = MAIN,
): Promise<{ appid: string; nickname: string }> {
  const nickname = uniqueName(kind === 'mini_program' ? '测试小程序-' : '测试公众号-');
  const response = await page.request.post(`${sandbox.sim}/__sim/accounts`, {
    data: { kind, nick_name: nickname, principal_name: '测试主体有限公司' },
  });
  expect(response.ok()).toBeTruthy();
  const body = await response.json();
  return { appid: body.appid as string, nickname };
}

export function newOfficialAccount(page: Page, sandbox: Sandbox = MAIN): Promise<{ appid: string; nickname: string }> {
  return newAccount(page, 'official_account', sandbox);
}

/** Creates a company through the admin UI and opens its page; returns its name and id. */
export async function createCompany(page: Page): Promise<{ company: string; id: string }> {
  const company = uniqueName('控制台测试公司-');
  await signIn(page);
  await page.goto('/companies');
  await page.getByLabel('公司名称').fill(company);
  await page.getByRole('button', { name: '创建公司' }).click();
  await page.getByRole('link', { name: company, exact: true }).click();
  await expect(page.getByRole('heading', { name: company, level: 1 })).toBeVisible();
  const id = new URL(page.url()).pathname.split('/').pop() ?? '';
  return { company, id };
}

/** Company, invite and the merchant's authorization through the emulator's page; returns the company's id. */
export async function onboard(page: Page, nickname: string): Promise<string> {
  const { id } = await createCompany(page);
  await page.getByLabel('备注（可选）').fill('发给测试商户');
  await page.getByRole('button', { name: '创建邀请' }).click();
  const invite = await page.getByRole('textbox', { name: '邀请链接' }).first().inputValue();
  await page.goto(invite);
  await page.getByRole('link', { name: '前往微信授权' }).click();
  await page.getByLabel(nickname, { exact: true }).check();
  await page.getByRole('button', { name: '确认授权' }).click();
  await expect(page.getByText('授权成功')).toBeVisible();
  return id;
}

