// Playwright drives Debian's Chromium (/usr/bin/chromium): Playwright's own
// browser download cannot run on these machines. The server is the binary
// that `cargo leptos build` made, started on a fresh database for every run.
import { defineConfig, devices } from '@playwright/test';

const PORT = 3100; // not 3000, so a running `cargo xtask run` does not interfere
const baseURL = `http://127.0.0.1:${PORT}`;

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL,
    locale: 'zh-CN',
    trace: 'retain-on-failure',
    launchOptions: chromium,
  },
  projects: [
    { name: 'chromium', use: { ...devices['Desktop Chrome'], launchOptions: chromium } },
    {
      // The essential forms must work before (or without) hydration.
      name: 'no-javascript',
      use: { ...devices['Desktop Chrome'], javaScriptEnabled: false, launchOptions: chromium },
      grep: /@no-js/,
    },
  ],
  webServer: {
    // A fresh working directory means a fresh SQLite file and sandbox data.
    command:
      'rm -rf target/e2e && mkdir -p target/e2e && cd target/e2e && exec ../debug/server',
    cwd: '..',
    url: `${baseURL}/healthz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
      LEPTOS_SITE_ROOT: '../site',
      WEIQIAO_PUBLIC_URL: baseURL,
      WEIQIAO_SANDBOX: '1',
      WECHAT_SIM_LISTEN: '127.0.0.1:4100',
      RUST_LOG: 'warn',
    },
  },
});
