// The seed of the admin dashboard: list companies and create one.
import { expect, test } from '@playwright/test';
import { failOnConsoleErrors, signIn, uniqueName, waitForHydration } from './helpers';

test('an admin creates a company and still sees it after a reload @no-js', async ({ page }) => {
  const errors = failOnConsoleErrors(page);
  const name = uniqueName('上海测试科技有限公司-');

  await signIn(page);
  await page.goto('/companies');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: '公司', exact: true })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: '沙箱模式' })).toBeVisible();

  await page.getByLabel('公司名称').fill(name);
  await page.getByRole('button', { name: '创建公司' }).click();

  const list = page.getByRole('table');
  await expect(list.getByRole('cell', { name, exact: true })).toBeVisible();

  await page.reload();
  await waitForHydration(page);
  await expect(page.getByRole('table').getByRole('cell', { name, exact: true })).toBeVisible();
  expect(errors).toEqual([]);
});

test('a duplicate company name is refused with a message', async ({ page }) => {
  const name = uniqueName('重复公司-');
  await signIn(page);
  await page.goto('/companies');
  await waitForHydration(page);

  for (let i = 0; i < 2; i++) {
    await page.getByLabel('公司名称').fill(name);
    await page.getByRole('button', { name: '创建公司' }).click();
    if (i === 0) {
      await expect(page.getByRole('status').filter({ hasText: `已创建公司「${name}」` })).toBeVisible();
    }
  }
  await expect(page.getByRole('alert')).toHaveText('已有同名公司，请换一个名称。');
  await expect(page.getByRole('table').getByRole('cell', { name, exact: true })).toHaveCount(1);
});
