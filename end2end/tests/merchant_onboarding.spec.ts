// Merchant self-onboarding, clicked through the real UI and the sandbox
// emulator's authorization page: admin creates a company and an invite, the
// merchant opens it, authorizes on "WeChat", and lands on the result page.
import { expect, test, type Page } from '@playwright/test';
import { CLOCK, MAIN, type Sandbox, failOnConsoleErrors, newAccount, newOfficialAccount, signIn, uniqueName, waitForHydration } from './helpers';


/** Creates a company and an invite through the admin UI; returns the invite link. */
async function createInvite(page: Page, company: string, sandbox: Sandbox = MAIN): Promise<string> {
  await signIn(page, sandbox);
  await page.goto('/companies');
  await waitForHydration(page);
  await page.getByLabel('公司名称').fill(company);
  await page.getByRole('button', { name: '创建公司' }).click();
  await page.getByRole('link', { name: company, exact: true }).click();
  await expect(page.getByRole('heading', { name: company, level: 1 })).toBeVisible();
  await waitForHydration(page);
  await page.getByRole('button', { name: '创建邀请' }).click();
  const link = page.getByRole('textbox', { name: '邀请链接' }).first();
  await expect(link).toHaveValue(/\/onboard\//);
  await expect(page.getByRole('img', { name: '邀请链接二维码' }).first()).toBeVisible();
  // The copy button is an island: it works once the page's wasm has hydrated it
  // (the form post above loaded the page anew).
  await waitForHydration(page);
  await page.getByRole('button', { name: '复制链接' }).first().click();
  await expect(page.getByRole('button', { name: '已复制' }).first()).toBeVisible();
  return link.inputValue();
}

/** On the emulator's page: picks the account by nickname and confirms. */
async function confirmOnWechat(page: Page, nickname: string) {
  await expect(page.getByText('微信模拟器').first()).toBeVisible();
  await page.getByLabel(nickname, { exact: true }).check();
  await page.getByRole('button', { name: '确认授权' }).click();
}

test('a merchant authorizes an official account and sees it on the result page', async ({ page }) => {
  const errors = failOnConsoleErrors(page);
  const invite = await createInvite(page, uniqueName('授权测试公司-'));
  const { nickname } = await newOfficialAccount(page);

  await page.goto(invite);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('授权');
  await expect(page.getByText('授权步骤')).toBeVisible();
  await page.getByRole('link', { name: '前往微信授权' }).click();

  await confirmOnWechat(page, nickname);

  await expect(page).toHaveURL(/\/onboard\/[^/]+\/result\/wx/);
  await expect(page.getByText('授权成功')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(nickname);
  const permissions = page.getByRole('list', { name: '已授权的权限集' });
  await expect(permissions.getByRole('listitem').first()).toBeVisible();
  await expect(permissions).toContainText('消息管理');
  await expect(page.getByRole('link', { name: '再授权一个帐号' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('a merchant who cancels on WeChat comes back to a page that says so', async ({ page }) => {
  const invite = await createInvite(page, uniqueName('取消测试公司-'));
  await page.goto(invite);
  await page.getByRole('link', { name: '前往微信授权' }).click();
  await page.getByRole('button', { name: '取消' }).click();
  await expect(page.getByText('已取消授权')).toBeVisible();
  // WeChat was sent our origin only, so the way back is the browser's history.
  await page.getByRole('button', { name: '返回上一页' }).click();
  await expect(page).toHaveURL(/\/onboard\/[^/]+$/);
  await expect(page.getByRole('status').filter({ hasText: '授权没有完成' })).toBeVisible();
  await expect(page.getByRole('link', { name: '前往微信授权' })).toBeVisible();
});

test('an account that belongs to another company is not moved', async ({ page }) => {
  const { nickname } = await newOfficialAccount(page);
  const first = await createInvite(page, uniqueName('原公司-'));
  await page.goto(first);
  await page.getByRole('link', { name: '前往微信授权' }).click();
  await confirmOnWechat(page, nickname);
  await expect(page.getByText('授权成功')).toBeVisible();

  const second = await createInvite(page, uniqueName('另一公司-'));
  await page.goto(second);
  await page.getByRole('link', { name: '前往微信授权' }).click();
  await confirmOnWechat(page, nickname);
  await expect(page.getByRole('alert')).toContainText('该帐号已属于其他公司');
});

test('a revoked invite says so instead of offering authorization', async ({ page }) => {
  const invite = await createInvite(page, uniqueName('撤销测试公司-'));
  await page.getByRole('button', { name: '撤销此链接' }).click();
  await expect(page.getByText('已撤销').first()).toBeVisible();
  await page.goto(invite);
  await expect(page.getByRole('heading', { name: '邀请链接已被撤销' })).toBeVisible();
  await expect(page.getByRole('link', { name: '前往微信授权' })).toHaveCount(0);
});

test.describe('on a phone', () => {
  test.use({
    viewport: { width: 390, height: 844 },
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47',
    isMobile: true,
    hasTouch: true,
  });

  test('the invite shows the bindcomponent link and a QR code', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const invite = await createInvite(page, uniqueName('手机测试公司-'));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(invite);
    const button = page.getByRole('link', { name: '在微信中授权' });
    await expect(button).toBeVisible();
    await expect(button).toHaveAttribute('href', /\/go\?device=mobile/);
    await expect(page.getByRole('img', { name: '手机授权二维码' })).toBeVisible();
    // The button leads to WeChat's phone page, from our site.
    const wechat = page.waitForRequest(/\/wxaopen\/safe\/bindcomponent\?action=bindcomponent&no_scan=1&/);
    await button.click();
    const request = await wechat;
    expect(request.url()).toContain('pre_auth_code=');
    // WeChat sees our origin as Referer, never the invite's path.
    expect(await request.headerValue('referer')).toBe('http://127.0.0.1:3100/');
  });
});

test('the onboarding page speaks English on request', async ({ page }) => {
  const invite = await createInvite(page, uniqueName('英文测试公司-'));
  await page.goto(`${invite}?lang=en`);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Authorize an official account or mini program for');
  // The whole frame follows the page's language, the sandbox banner included.
  await expect(page.getByRole('status').filter({ hasText: 'Sandbox mode' })).toBeVisible();
  await expect(page.getByText('沙箱模式')).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Continue to WeChat' })).toBeVisible();
  await page.getByRole('link', { name: '中文' }).click();
  await expect(page.getByRole('link', { name: '前往微信授权' })).toBeVisible();
});

test('an invite naming one mini program is complete once the merchant authorizes it', async ({ page }) => {
  const { appid, nickname } = await newAccount(page, 'mini_program');

  const company = uniqueName('指定帐号公司-');
  await signIn(page);
  await page.goto('/companies');
  await waitForHydration(page);
  await page.getByLabel('公司名称').fill(company);
  await page.getByRole('button', { name: '创建公司' }).click();
  await page.getByRole('link', { name: company, exact: true }).click();
  await waitForHydration(page);
  await page.getByLabel('授权的帐号类型').selectOption({ label: '仅小程序' });
  await page.getByLabel('指定帐号 AppID（可选）').fill(appid);
  await page.getByRole('button', { name: '创建邀请' }).click();
  const link = page.getByRole('textbox', { name: '邀请链接' }).first();
  await expect(link).toHaveValue(/\/onboard\//);
  const invite = await link.inputValue();

  await page.goto(invite);
  await expect(page.getByText(appid)).toBeVisible();
  await page.getByRole('link', { name: '前往微信授权' }).click();
  await confirmOnWechat(page, nickname);
  await expect(page.getByText('授权成功')).toBeVisible();
  await expect(page.getByText('这个邀请已完成')).toBeVisible();
  await expect(page.getByRole('link', { name: '再授权一个帐号' })).toHaveCount(0);

  await page.goto(invite);
  await expect(page.getByRole('heading', { name: '授权已完成' })).toBeVisible();
  await expect(page.getByRole('link', { name: '前往微信授权' })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: nickname })).toBeVisible();
});

// These move WeChat's clock (Weiqiao follows its emulator's): on the sandbox
// kept for that, so no other test runs on a moved clock.
test.describe('on a clock of their own', () => {
  test.use({ baseURL: CLOCK.baseURL });

  test('a reloaded callback shows the result again; a tampered state and an expired code get their pages', async ({ page }) => {
    const invite = await createInvite(page, uniqueName('回调测试公司-'), CLOCK);
    const { nickname } = await newOfficialAccount(page, CLOCK);

    await page.goto(invite);
    await page.getByRole('link', { name: '前往微信授权' }).click();
    const callback = page.waitForRequest(/\/onboard\/callback\?/);
    await confirmOnWechat(page, nickname);
    const callbackUrl = (await callback).url();
    await expect(page.getByText('授权成功')).toBeVisible();

    // The same callback again (a reload, a duplicate): same result, nothing fails.
    await page.goto(callbackUrl);
    await expect(page.getByText('授权成功')).toBeVisible();

    // A state that was tampered with.
    await page.goto(callbackUrl.replace('state=', 'state=9'));
    await expect(page.getByRole('alert')).toContainText('授权结果无法验证');

    // A code that expired before it reached us (WeChat's codes live an hour):
    // confirm on the emulator without following its redirect, wait, then arrive.
    await page.goto(invite);
    await page.getByRole('link', { name: '前往微信授权' }).click();
    await page.getByLabel(nickname, { exact: true }).check();
    const form = await page
      .locator('form')
      .evaluate((f) => new URLSearchParams(new FormData(f as HTMLFormElement) as unknown as Record<string, string>).toString());
    const confirmed = await page.request.post(`${CLOCK.sim}/cgi-bin/componentloginpage/confirm`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      data: form,
      maxRedirects: 0,
    });
    expect(confirmed.status()).toBe(302);
    const secondUrl = confirmed.headers()['location'];
    expect(secondUrl).toContain('/onboard/callback?');
    const advanced = await page.request.post(`${CLOCK.sim}/__sim/clock/advance`, { data: { seconds: 3700 } });
    expect(advanced.ok()).toBeTruthy();
    await page.goto(secondUrl);
    await expect(page.getByRole('alert')).toContainText('授权码已失效');
  });

  test('an expired invite says so', async ({ page }) => {
    const invite = await createInvite(page, uniqueName('过期测试公司-'), CLOCK);
    const advanced = await page.request.post(`${CLOCK.sim}/__sim/clock/advance`, { data: { seconds: 8 * 86_400 } });
    expect(advanced.ok()).toBeTruthy();
    await page.goto(invite);
    await expect(page.getByRole('heading', { name: '邀请链接已过期' })).toBeVisible();
    await expect(page.getByRole('link', { name: '前往微信授权' })).toHaveCount(0);
  });
});
