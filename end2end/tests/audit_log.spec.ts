// The audit log: an admin's action and a refused sign-in are there, and the
// filters narrow the list; plain GET links and forms, so it works without JavaScript.
import { expect, test } from '@playwright/test';
import { failOnConsoleErrors, signIn, uniqueName, waitForHydration } from './helpers';

test('an admin finds a company creation and a refused sign-in in the audit log @no-js', async ({ page, browser }) => {
  const errors = failOnConsoleErrors(page);
  const name = uniqueName('审计公司-');
  const intruder = uniqueName('intruder-');

  // A refused sign-in from another browser.
  const other = await browser.newContext();
  const baseURL = test.info().project.use.baseURL ?? '';
  const refused = await other.request.post('/login', {
    form: { login: intruder, password: 'wrong password here', next: '/' },
    headers: { Origin: baseURL },
    maxRedirects: 0,
  });
  expect(refused.status()).toBe(303);
  await other.close();

  await signIn(page);
  await page.goto('/companies');
  await waitForHydration(page);
  await page.getByLabel('公司名称').fill(name);
  await page.getByRole('button', { name: '创建公司' }).click();
  const companyLink = page.getByRole('table').getByRole('link', { name, exact: true });
  await expect(companyLink).toBeVisible();
  const companyId = (await companyLink.getAttribute('href'))?.split('/').pop();

  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '审计日志' }).click();
  await expect(page.getByRole('heading', { name: '审计日志', exact: true })).toBeVisible();
  const failed = page.getByRole('row').filter({ hasText: intruder });
  await expect(failed).toContainText('登录失败');
  await expect(failed).toHaveClass(/refused/);

  // Filter by the object: only that company's entries.
  await page.getByLabel('对象').fill(`company:${companyId}`);
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page).toHaveURL(new RegExp(`object=company%3A${companyId}|object=company:${companyId}`));
  const rows = page.getByRole('table').getByRole('row').filter({ hasText: '创建公司' });
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText('demo');
  await expect(page.getByRole('row').filter({ hasText: intruder })).toHaveCount(0);
  expect(errors).toEqual([]);
});
