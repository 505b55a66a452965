// The message gateway from the dashboard: an admin registers a webhook for a
// merchant's account, a user's message sent through the emulator reaches the
// receiver (a server this test starts) signed, and shows in the delivery log;
// in sandbox mode the dashboard runs WeChat's 全网发布 check and every item passes.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { SIM, failOnConsoleErrors, newOfficialAccount, onboard, waitForHydration } from './helpers';

/** A receiver on a free port that records every delivery (headers and body). */
async function receiver(): Promise<{ url: string; received: { signature: string; body: string }[]; close: () => void }> {
  const received: { signature: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ signature: String(req.headers['weiqiao-signature'] ?? ''), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => server.close() };
}

test('an admin registers a webhook and a user message reaches it and its delivery log @no-js', async ({ page }) => {
  const errors = failOnConsoleErrors(page);
  const { appid, nickname } = await newOfficialAccount(page);
  await onboard(page, nickname);
  const hook = await receiver();

  await page.goto('/webhooks');
  await waitForHydration(page);
  await page.getByLabel('接收地址').fill(hook.url);
  await page.getByLabel('只推送这些帐号').fill(appid);
  await page.getByRole('button', { name: '登记地址' }).click();
  const secretBox = page.getByRole('status').filter({ hasText: '签名密钥' });
  await expect(secretBox).toBeVisible();
  const secret = (await secretBox.locator('code').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^whsec_/);
  const row = page.getByRole('row').filter({ hasText: hook.url });
  await expect(row).toContainText(appid);

  // A follower writes to the account (the emulator plays WeChat).
  const pushed = await page.request.post(`${SIM}/__sim/messages`, {
    data: { authorizer_appid: appid, openid: 'o_e2e_fan', msg_type: 'text', content: '你好，我想预约' },
  });
  expect((await pushed.json()).answered).toBe(true);
  await expect.poll(() => hook.received.length).toBe(1);
  const delivery = hook.received[0];
  const message = JSON.parse(delivery.body);
  expect(message.appid).toBe(appid);
  expect(message.message.content).toBe('你好，我想预约');
  // The receiver checks the signature as the README shows.
  const [t, v1] = delivery.signature.split(',').map((part) => part.split('=')[1]);
  expect(createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest('hex')).toBe(v1);

  await row.getByRole('link', { name: '投递记录' }).click();
  const logged = page.getByRole('row').filter({ hasText: appid });
  await expect(logged).toContainText('已送达');
  await expect(logged).toContainText('text');
  hook.close();
  expect(errors).toEqual([]);
});

test('in the sandbox the dashboard runs the release check and every item passes', async ({ page }) => {
  const errors = failOnConsoleErrors(page);
  // Signed in by onboarding's helper path: the check needs no company of its own.
  const { nickname } = await newOfficialAccount(page);
  await onboard(page, nickname);
  await page.goto('/release-check');
  await waitForHydration(page);
  await expect(page.getByText('自动应答：已开启')).toBeVisible();
  await page.getByLabel('测试帐号组').selectOption('5');
  await page.getByLabel('帐号类型').selectOption('oa');
  await page.getByRole('button', { name: '开始检测' }).click();
  const result = page.locator('[data-check-result]');
  await expect(result).toHaveAttribute('data-check-result', 'passed', { timeout: 20_000 });
  for (const item of ['组件ticket正确接收', '授权', '返回普通文本消息', '返回Api文本消息', '发送事件消息', '取消授权']) {
    await expect(result.locator(`li[data-passed="true"][data-item="${item}"]`)).toBeVisible();
  }
  // The responder's own record of the steps.
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByRole('row').filter({ hasText: 'wxa35b9c23cfe664eb' }).first()).toBeVisible();
  expect(errors).toEqual([]);
});
