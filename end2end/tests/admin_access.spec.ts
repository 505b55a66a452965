// Admin access: every admin page sends a fresh browser to /login; the demo
// admin signs in; wrong passwords are refused and, past the limit, the page
// states the wait; signing out ends the session for good.
import { expect, test } from '@playwright/test';
import { demoAdmin, failOnConsoleErrors, uniqueName } from './helpers';

test('a fresh browser is sent to /login from every admin page @no-js', async ({ page }) => {
  for (const path of ['/', '/companies', '/companies/1', '/companies/1?tab=invites', '/no-such-admin-page']) {
    await page.goto(path);
    const url = new URL(page.url());
    expect(url.pathname, path).toBe('/login');
    expect(url.searchParams.get('next'), path).toBe(path);
    await expect(page.getByRole('heading', { name: '登录管理后台' })).toBeVisible();
    await expect(page.getByRole('link', { name: '公司' })).toHaveCount(0);
  }
});

test('signing in with the demo admin reaches the companies page @no-js', async ({ page }) => {
  const errors = failOnConsoleErrors(page);
  const { login, password } = demoAdmin();
  await page.goto('/companies');
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel('登录名').fill(login);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/companies$/);
  await expect(page.getByRole('heading', { name: '公司', exact: true })).toBeVisible();
  await expect(page.getByText(`已登录：${login}`)).toBeVisible();
  expect(errors).toEqual([]);
});

test('a wrong password shows the message and, after the limit, the wait @no-js', async ({ page }) => {
  // A login of its own, so the lock it provokes touches no other test.
  const login = uniqueName('locked-');
  await page.goto('/login');
  for (let attempt = 1; attempt <= 4; attempt++) {
    await page.getByLabel('登录名').fill(login);
    await page.getByLabel('密码').fill('not the password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByRole('alert')).toHaveText('登录名或密码不正确。');
  }
  await page.getByLabel('登录名').fill(login);
  await page.getByLabel('密码').fill('not the password');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toContainText('登录失败次数过多');
  await expect(page.getByRole('alert')).toContainText('15 分钟后再试');
});

test('signing out ends the session: the back button shows nothing admin', async ({ page }) => {
  const { login, password } = demoAdmin();
  await page.goto('/login?next=%2Fcompanies');
  await page.getByLabel('登录名').fill(login);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('heading', { name: '新建公司' })).toBeVisible();

  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByRole('status').filter({ hasText: '您已退出登录' })).toBeVisible();

  await page.goBack();
  await expect(page).toHaveURL(/\/login\?next=%2Fcompanies/);
  await expect(page.getByRole('heading', { name: '新建公司' })).toHaveCount(0);
  await page.goto('/companies');
  await expect(page).toHaveURL(/\/login\?next=%2Fcompanies/);
});

test('the sign-in page speaks English on request', async ({ page }) => {
  await page.goto('/login?lang=en');
  await expect(page.getByRole('heading', { name: 'Sign in to the dashboard' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Sandbox mode' })).toBeVisible();
});

test('scripts and wasm carry content hashes and are kept for a year', async ({ page }) => {
  const html = await (await page.request.get('/login')).text();
  const assets = [...html.matchAll(/"(\/pkg\/[^"]+)"/g)].map((m) => m[1]);
  expect(assets.some((a) => /\/pkg\/weiqiao\.[^.]+\.wasm$/.test(a))).toBeTruthy();
  for (const asset of assets) {
    const response = await page.request.get(asset);
    expect(response.status(), asset).toBe(200);
    expect(response.headers()['cache-control'], asset).toBe('public, max-age=31536000, immutable');
  }
});
