// Playwright drives Debian's Chromium (/usr/bin/chromium): Playwright's own
// browser download cannot run on these machines. The server is the binary
// that `cargo leptos build` made, started on a fresh database for every run.
import { defineConfig, devices } from '@playwright/test';

const PORT = 3100; // not 3000, so a running `cargo xtask run` does not interfere
const CLOCK_PORT = 3101; // the sandbox whose clock tests may move (helpers.ts: CLOCK)
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
  // Two sandboxes, each a server with its own database and emulator: the
  // second is for the tests that move WeChat's clock (Weiqiao follows its
  // emulator's), so no other test ever runs on a clock someone moved.
  webServer: [
    sandbox(PORT, 4100, 'target/e2e'),
    sandbox(CLOCK_PORT, 4101, 'target/e2e-clock'),
  ],
});

/** A fresh working directory means a fresh SQLite file and sandbox data. */
function sandbox(port: number, simPort: number, dir: string) {
  const url = `http://127.0.0.1:${port}`;
  return {
    command: `rm -rf ${dir} && mkdir -p ${dir} && cd ${dir} && exec ../debug/server`,
    cwd: '..',
    url: `${url}/healthz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: '../site',
      WEIQIAO_PUBLIC_URL: url,
      WEIQIAO_SANDBOX: '1',
      WECHAT_SIM_LISTEN: `127.0.0.1:${simPort}`,
      RUST_LOG: 'warn',
    },
  };
}
