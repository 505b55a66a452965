// Fast registration (快速注册企业小程序) from the merchant's side: an invite
// that offers it, the form (a code that does not fit its type is refused in
// the form), the waiting page, the legal representative's answer played
// through the emulator's control API, and the page updating by itself.
import { expect, test, type Page } from '@playwright/test';
import { SIM, createCompany, failOnConsoleErrors, signIn, uniqueName, waitForHydration } from './helpers';

/** A unified social credit code no other test or run uses (GB 32100's alphabet). */
function creditCode(): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  let code = '91';
  for (let i = 0; i < 16; i++) code += alphabet[Math.floor(Math.random() * alphabet.length)];
  return code;
}

/** A company with an invite offering fast registration; returns the link and the company's id. */
async function registrationInvite(page: Page): Promise<{ invite: string; id: string }> {
  const { id } = await createCompany(page);
  await page.getByLabel(/允许商户申请快速注册小程序/).check();
  await page.getByRole('button', { name: '创建邀请' }).click();
  await expect(page.getByText('可快速注册')).toBeVisible();
  const invite = await page.getByRole('textbox', { name: '邀请链接' }).first().inputValue();
  // The merchant is someone else: not signed in.
  await page.context().clearCookies();
  return { invite, id };
}

async function fillIn(page: Page, enterprise: string, code: string): Promise<void> {
  await page.getByLabel('企业名称').fill(enterprise);
  await page.getByLabel('企业代码类型').selectOption('1');
  await page.getByLabel('企业代码', { exact: true }).fill(code);
  await page.getByLabel('法人微信号').fill('zhang_san88');
  await page.getByLabel('法人姓名').fill('张三');
}

async function openRegistration(page: Page, invite: string): Promise<void> {
  await page.goto(invite);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: '还没有小程序？' })).toBeVisible();
  await page.getByRole('link', { name: '快速注册小程序' }).click();
  await expect(page.getByRole('heading', { name: '填写企业信息' })).toBeVisible();
}

test('a merchant registers a mini program and its page shows it once the legal representative confirms @no-js', async ({ page }) => {
  const errors = failOnConsoleErrors(page);
  const { invite, id } = await registrationInvite(page);
  await openRegistration(page, invite);
  const enterprise = uniqueName('快注测试企业-');

  // Fifteen digits are a licence number, not a credit code: refused in the form, values kept.
  await fillIn(page, enterprise, '110000012345678');
  await page.getByRole('button', { name: '提交注册申请' }).click();
  await expect(page.getByText('统一社会信用代码为 18 位数字或大写字母')).toBeVisible();
  await expect(page.getByLabel('企业名称')).toHaveValue(enterprise);
  await expect(page.getByLabel('企业代码', { exact: true })).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('企业代码', { exact: true }).fill(creditCode());
  await page.getByRole('button', { name: '提交注册申请' }).click();
  await expect(page.getByRole('heading', { name: '等待法人确认' })).toBeVisible();
  await expect(page.getByText('法定代表人张三的微信会收到')).toBeVisible();

  // The legal representative confirms in WeChat (the emulator plays them).
  const answer = await page.request.post(`${SIM}/__sim/fast-registrations/confirm`, { data: { name: enterprise } });
  expect(answer.ok()).toBeTruthy();
  const appid = (await answer.json()).appid as string;

  // Nobody reloads: the waiting page refreshes itself.
  await expect(page.getByRole('heading', { name: '小程序已创建并授权' })).toBeVisible({ timeout: 25_000 });
  await expect(page.getByText(appid)).toBeVisible();

  // The company page lists the new mini program and the request.
  await signIn(page);
  await page.goto(`/companies/${id}`);
  const accounts = page.locator('section.card', { has: page.getByRole('heading', { name: '已授权帐号' }) });
  await expect(accounts.getByText(appid)).toBeVisible();
  const requests = page.locator('section.card', { has: page.getByRole('heading', { name: '快速注册小程序' }) });
  await expect(requests.getByText('已创建并授权')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a rejected registration says why and the merchant corrects it and submits again @no-js', async ({ page }) => {
  const { invite } = await registrationInvite(page);
  await openRegistration(page, invite);
  const enterprise = uniqueName('快注驳回企业-');
  await fillIn(page, enterprise, creditCode());
  await page.getByRole('button', { name: '提交注册申请' }).click();
  await expect(page.getByRole('heading', { name: '等待法人确认' })).toBeVisible();

  // WeChat's registry check fails: the legal representative's name does not match.
  const answer = await page.request.post(`${SIM}/__sim/fast-registrations/reject`, {
    data: { name: enterprise, status: 103 },
  });
  expect(answer.ok()).toBeTruthy();
  await expect(page.getByRole('heading', { name: '注册没有成功' })).toBeVisible({ timeout: 25_000 });
  await expect(page.getByText('法定代表人姓名与工商登记不一致')).toBeVisible();

  // The form comes back filled: correct the name and send it again.
  await expect(page.getByLabel('企业名称')).toHaveValue(enterprise);
  await page.getByLabel('法人姓名').fill('张三丰');
  await page.getByRole('button', { name: '提交注册申请' }).click();
  await expect(page.getByRole('heading', { name: '等待法人确认' })).toBeVisible();
  await expect(page.getByText('法定代表人张三丰的微信会收到')).toBeVisible();
});
