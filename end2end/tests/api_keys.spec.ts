// API keys in the dashboard: create one (shown once, with a copy button), use
// it against the token service, see its last use, revoke it after a
// confirmation, and find both actions in the audit log. Plain forms: also without JavaScript.
import { expect, test } from '@playwright/test';
import { failOnConsoleErrors, signIn, uniqueName, waitForHydration } from './helpers';

test('an admin creates an API key, it works, and revoking it stops it @no-js', async ({ page, playwright }) => {
  const errors = failOnConsoleErrors(page);
  const name = uniqueName('会员系统-');
  const baseURL = test.info().project.use.baseURL ?? '';

  await signIn(page);
  await page.goto('/api-keys');
  await waitForHydration(page);
  await page.getByLabel('名称', { exact: true }).fill(name);
  await page.getByLabel('可读取的公司').selectOption('all');
  await page.getByLabel('也可读取平台令牌').check();
  await page.getByRole('button', { name: '创建密钥' }).click();

  const created = page.getByRole('status').filter({ hasText: '只显示这一次' });
  await expect(created).toBeVisible();
  await expect(created.getByRole('button', { name: '复制密钥' })).toBeVisible();
  const key = (await created.locator('code').textContent())?.trim() ?? '';
  expect(key).toMatch(/^wq_/);

  // The operator's backend uses it (no cookies: a separate client).
  const backend = await playwright.request.newContext({ baseURL });
  const used = await backend.get('/api/v1/component/access_token', { headers: { Authorization: `Bearer ${key}` } });
  expect(used.status()).toBe(200);

  // Shown once: a reload no longer shows it; the list shows its use.
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByText('已经显示过了')).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText('启用');
  await expect(row).not.toContainText('从未使用');

  await row.getByRole('link', { name: `吊销密钥「${name}」` }).click();
  await expect(page.getByRole('alertdialog')).toContainText('此操作不能撤销');
  await page.getByRole('button', { name: '确认吊销' }).click();
  await expect(page.getByRole('status').filter({ hasText: '已吊销密钥' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: name })).toContainText('已吊销');
  const refused = await backend.get('/api/v1/component/access_token', { headers: { Authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(401);
  await backend.dispose();

  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '审计日志' }).click();
  await expect(page.getByRole('row').filter({ hasText: '创建 API 密钥' }).first()).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: '吊销 API 密钥' }).first()).toBeVisible();
  expect(errors).toEqual([]);
});
