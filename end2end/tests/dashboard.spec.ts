// The operator's console after a merchant authorized: the account appears with
// its permissions and token health; WeChat refusing its refresh token (61023,
// forced in the emulator) puts a banner on the overview and marks the account;
// a revocation at WeChat shows on the account and in its timeline; the
// authorization's push opens as masked XML; an authorization no invite brought
// in is found by reconcile and attached to a company. Each test brings its own
// company and its own emulator account, so no test depends on another.
import { expect, test } from '@playwright/test';
import { SIM, createCompany, failOnConsoleErrors, newOfficialAccount, onboard, signIn, uniqueName, waitForHydration } from './helpers';

test('an authorized account shows its health, a dead refresh token raises the banner, and its push opens masked', async ({ page }) => {
  const errors = failOnConsoleErrors(page);
  const { appid, nickname } = await newOfficialAccount(page);
  await onboard(page, nickname);

  // The account, from the accounts list.
  await page.goto('/accounts?status=active');
  await waitForHydration(page);
  await page.getByRole('link', { name: nickname, exact: true }).click();
  await expect(page.getByRole('heading', { name: nickname, level: 1 })).toBeVisible();
  await expect(page.getByRole('list', { name: '已授权的权限集' })).toContainText('消息管理');
  await expect(page.getByText('令牌状态')).toBeVisible();
  await expect(page.locator('[data-health="failures"]')).toHaveText('0');

  // WeChat now refuses its refresh token and lists that very token: dead for good.
  const fault = await page.request.put(`${SIM}/__sim/faults/api_authorizer_token`, { data: { errcode: 61023, times: 1 } });
  expect(fault.ok()).toBeTruthy();
  await page.getByRole('button', { name: '立即刷新令牌' }).click();
  await expect(page.getByRole('status').filter({ hasText: '刷新失败' })).toBeVisible();
  await expect(page.getByText('需要重新授权').first()).toBeVisible();

  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '概览' }).click();
  const banner = page.getByRole('alert').filter({ hasText: '需要商户重新授权' });
  await expect(banner).toBeVisible();
  await banner.getByRole('link', { name: '查看这些帐号' }).click();
  await expect(page.getByRole('link', { name: nickname, exact: true })).toBeVisible();

  // Its authorization push, opened: codes masked.
  await page.goto(`/events?appid=${appid}&kind=authorized`);
  await page.getByRole('table').getByRole('link').first().click();
  const xml = page.locator('[data-masked-xml]');
  await expect(xml).toContainText('AuthorizationCode');
  await expect(xml).toContainText('•••');
  await expect(xml).not.toContainText('queryauthcode@@@');
  expect(errors).toEqual([]);
});

test('the overview and an account read well on a tablet', async ({ page }) => {
  await page.setViewportSize({ width: 768, height: 1024 });
  const { nickname } = await newOfficialAccount(page);
  await onboard(page, nickname);
  await page.goto('/');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: '概览', exact: true })).toBeVisible();
  const noHorizontalScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  expect(await noHorizontalScroll()).toBe(true);
  await page.goto('/accounts');
  await page.getByRole('link', { name: nickname, exact: true }).click();
  await expect(page.getByText('令牌状态')).toBeVisible();
  expect(await noHorizontalScroll()).toBe(true);
});

test('a revocation at WeChat shows on the account and in its timeline, with the invite that brought it in', async ({ page }) => {
  const errors = failOnConsoleErrors(page);
  const { appid, nickname } = await newOfficialAccount(page);
  const companyId = await onboard(page, nickname);

  // The invite says what it brought in.
  await page.goto(`/companies/${companyId}`);
  const invite = page.getByRole('listitem').filter({ hasText: '发给测试商户' });
  await expect(invite.locator('[data-count="brought_in"]')).toHaveText('1');

  await page.goto(`/accounts/${appid}`);
  const timeline = page.getByRole('region', { name: '历史' });
  await expect(timeline).toContainText('首次授权');

  // The merchant withdraws the authorization at WeChat, which pushes it to us.
  const revoked = await page.request.post(`${SIM}/__sim/authorizations/${appid}/revoke`);
  expect(revoked.ok()).toBeTruthy();
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('region', { name: '历史' })).toContainText('商户取消了授权', { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(page.getByText('已取消授权').first()).toBeVisible();

  // Company and invite creation are in the audit log, on the company.
  await page.goto(`/audit?object=company:${companyId}`);
  await expect(page.getByRole('row').filter({ hasText: '创建公司' })).toBeVisible();
  await page.goto('/audit');
  await expect(page.getByRole('row').filter({ hasText: '创建邀请链接' }).first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('an authorization no invite brought in is found by reconcile and attached to a company @no-js', async ({ page }) => {
  const errors = failOnConsoleErrors(page);
  const { appid, nickname } = await newOfficialAccount(page);
  const { company } = await createCompany(page);
  // Authorized at WeChat without our link, and its push never arrived.
  const granted = await page.request.post(`${SIM}/__sim/authorizations`, { data: { authorizer_appid: appid } });
  expect(granted.ok()).toBeTruthy();

  await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '对账' }).click();
  await waitForHydration(page);
  await page.getByRole('button', { name: '立即对账' }).click();
  await expect(page.getByRole('status').filter({ hasText: '对账完成' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: appid });
  await expect(row).toBeVisible();
  await row.getByLabel('公司名称').fill(company);
  await row.getByRole('button', { name: '归入公司' }).click();

  await expect(page.getByRole('heading', { name: nickname, level: 1 })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: '已把帐号归入公司' })).toBeVisible();
  await expect(page.getByRole('link', { name: company })).toBeVisible();
  await expect(page.getByRole('region', { name: '历史' })).toContainText('把对账发现的帐号归入公司');

  await page.goto('/audit');
  await expect(page.getByRole('row').filter({ hasText: '与微信授权列表对账' }).first()).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: appid }).filter({ hasText: '把对账发现的帐号归入公司' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('an open overview refreshes its figures by itself', async ({ page }) => {
  const errors = failOnConsoleErrors(page);
  await signIn(page);
  // The page's timers run on a clock the test moves (the live refresh waits 30 s).
  await page.clock.install();
  await page.goto('/');
  await waitForHydration(page);
  const pushes = page.locator('[data-count="pushes_last_hour"]');
  const before = Number(await pushes.textContent());
  await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));

  // A ticket reaches the platform while the overview is open.
  const pushed = await page.request.post(`${SIM}/__sim/ticket/push`);
  expect(pushed.ok()).toBeTruthy();
  await expect(pushes).toHaveText(String(before));
  await page.clock.runFor(31_000);
  await expect.poll(async () => Number(await pushes.textContent())).toBeGreaterThan(before);
  // Updated in place, not by a reload.
  expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true);
  expect(errors).toEqual([]);
});

test('an admin switches the console to English, it stays English, and switches back @no-js', async ({ page }) => {
  await signIn(page);
  await page.goto('/companies');
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Companies', level: 1 })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Authorized accounts' })).toBeVisible();
  await page.getByRole('link', { name: '中文' }).click();
  await expect(page.getByRole('heading', { name: '概览', level: 1 })).toBeVisible();
  await page.goto('/audit');
  await expect(page.getByRole('heading', { name: '审计日志', level: 1 })).toBeVisible();
});
