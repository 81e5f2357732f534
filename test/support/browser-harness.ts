import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { beforeEach, vi } from 'vitest';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type CDPSession,
  type ConsoleMessage,
  type Page,
  type Request,
} from 'playwright-core';
import { missingPeer } from './peers.js';

/**
 * A real browser for the UI journeys: Debian's Chromium driven by playwright-core, with a CDP virtual
 * authenticator standing in for the person's passkey device (RECIPES "A real browser with a passkey").
 *
 * Every page records console errors, uncaught exceptions, failed requests and answers of 400 and up;
 * `assertClean()` fails the test on any of them that the test did not declare with `expect()`.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const UI_DIST = join(ROOT, 'ui/dist');
export const SCREENSHOTS = join(ROOT, 'test-output/screenshots');

/**
 * Time budgets of the journeys. A Playwright step (a click, a wait for a page or a text) gives up after
 * STEP_TIMEOUT_MS and says what it waited for; a test has JOURNEY_TIMEOUT_MS for all its steps. With
 * both at 30 s (Playwright's and the suite's defaults) a stalled step ended as an anonymous test timeout,
 * and the timed-out test went on driving the shared page underneath the next test, which then failed
 * for no reason of its own (seen once in CI, on a run whose same tests pass in 2–3 s).
 */
export const STEP_TIMEOUT_MS = 30_000;
export const JOURNEY_TIMEOUT_MS = 120_000;

/**
 * For a file of journeys: sets its tests' time budget, and when a test fails, prints what a stall would
 * need to be told apart: how long the test ran, where each open page was, and the longest
 * the test process's event loop (server, relying parties and Playwright's client) was blocked meanwhile.
 */
export function watchJourneys(current: () => Browser | undefined): void {
  vi.setConfig({ testTimeout: JOURNEY_TIMEOUT_MS });
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  beforeEach(({ task, onTestFailed }) => {
    const started = Date.now();
    delay.reset();
    onTestFailed(() => {
      const pages = (current()?.contexts() ?? []).flatMap((c) => c.pages().map((p) => p.url()));
      const facts =
        `failed after ${Date.now() - started} ms; longest event-loop block ` +
        `${(delay.max / 1e6).toFixed(0)} ms; pages: ${JSON.stringify(pages)}`;
      console.error(`[journey] "${task.name}" ${facts}`);
      // Also with the test's errors, which the run's summary repeats at its end: a CI log may keep only that.
      task.result?.errors?.push({ name: 'Journey', message: facts });
    });
  });
}

/** Launches Chromium, or returns undefined (a loud skip; a failure under TEST_REQUIRE_PEERS=1). */
export async function launchBrowser(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    missingPeer('Chromium', `${CHROMIUM} is missing (apt-get install -y chromium)`);
    return undefined;
  }
  // The UI is a build product, not a peer: without it every journey would fail obscurely.
  if (!existsSync(join(UI_DIST, 'index.html')))
    throw new Error(`${UI_DIST}/index.html is missing: run \`npm run build\` before the browser tests`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Something a test expects to go wrong: an answer with this status on this path (and its console line). */
export interface ExpectedFailure {
  path: string | RegExp;
  status?: number;
}

interface Incident {
  kind: 'console' | 'pageerror' | 'requestfailed' | 'response';
  text: string;
  path?: string;
  status?: number;
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  /**
   * Navigates once the current page is idle: leaving while it still loads would abort its requests
   * (ERR_ABORTED), which is the test's doing, not the page's.
   */
  goto(url: string): Promise<void>;
  /** Waits until the page has had no network activity for 500 ms. */
  settle(): Promise<void>;
  /** Declares an expected failed answer; it (and Chromium's console line about it) is then not an error. */
  expect(failure: ExpectedFailure): void;
  /**
   * Fails the test on any unexpected console error, exception, failed request or error answer since
   * the last call, then forgets them and the expectations (one session may serve several tests).
   */
  assertClean(): void;
  /**
   * Saves the page as it is now, light and dark, wide and at 360 px, under test-output/screenshots:
   * the whole page, or the viewport while a modal dialog is open.
   */
  screenshot(name: string): Promise<void>;
  setUserVerified(verified: boolean): Promise<void>;
  /**
   * Runs `action` with the virtual device answering requests (the person touching it). Requests made
   * while it is off stay pending, as an autofill request waits for the person in a real browser; let
   * `action` wait for the outcome, so the request it starts is made before the device is off again.
   */
  withPresence<T>(action: () => Promise<T>): Promise<T>;
  /** Waits until the page's latest WebAuthn request is a pending conditional (autofill) one. */
  waitForPendingAutofill(): Promise<void>;
  /** The page's navigator.credentials.get calls so far: their mediation and how each ended. */
  webauthnCalls(): Promise<
    { mediation: string; state: 'pending' | 'resolved' | 'rejected'; error?: string }[]
  >;
  /** The passkeys the virtual authenticator holds, with their private keys (to copy one elsewhere). */
  credentials(): Promise<VirtualCredential[]>;
  /**
   * Plugs in a second device: a security key that answers at once, holding `credentials` (passkeys
   * copied from another session's device, say), while the built-in device keeps waiting for a touch.
   * Returns the way to unplug it.
   */
  plugInSecurityKey(credentials?: VirtualCredential[]): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** A passkey in a CDP virtual authenticator (`WebAuthn.Credential`; binary fields in base64). */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/** Browser-side source (the test tsconfig has no DOM types): wraps navigator.credentials.get. */
const RECORD_WEBAUTHN_CALLS = `(() => {
  const calls = [];
  window.__webauthnCalls = calls;
  const original = navigator.credentials.get.bind(navigator.credentials);
  navigator.credentials.get = (options) => {
    const call = { mediation: (options && options.mediation) || 'optional', state: 'pending' };
    calls.push(call);
    const result = original(options);
    result.then(
      () => { call.state = 'resolved'; },
      (error) => { call.state = 'rejected'; call.error = error && error.name; },
    );
    return result;
  };
})();`;

const WIDE = { width: 1280, height: 860 };
const NARROW = { width: 360, height: 780 };

export async function openSession(browser: Browser, baseUrl: string): Promise<BrowserSession> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: WIDE, colorScheme: 'light' });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      // Off between ceremonies: with it on, the virtual device answers a conditional (autofill) request
      // at once, as if the person had picked the passkey, where a real browser waits for them.
      automaticPresenceSimulation: false,
    },
  });

  // Records each navigator.credentials.get call and how it ended, so a test can see the conditional
  // (autofill) request being issued and then aborted; the page's behaviour is unchanged.
  await context.addInitScript(RECORD_WEBAUTHN_CALLS);

  const incidents: Incident[] = [];
  const expected: ExpectedFailure[] = [];
  const pathOf = (url: string) => {
    try {
      return new URL(url).pathname;
    } catch {
      return url;
    }
  };
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const url = message.location().url;
    incidents.push({ kind: 'console', text: message.text(), path: url ? pathOf(url) : undefined });
  });
  page.on('pageerror', (error) => incidents.push({ kind: 'pageerror', text: error.stack ?? error.message }));
  // Requests whose answer arrived: 'response' comes before a 'requestfailed' of the same request.
  const answered = new WeakSet<Request>();
  page.on('requestfailed', (request) => {
    // Answered, then cut off only by the page leaving (the sign-out's 204 just before the page goes
    // back to the app; Chromium may report the load's end after the navigation began): no person saw
    // anything fail.
    if (answered.has(request) && request.failure()?.errorText === 'net::ERR_ABORTED') return;
    incidents.push({
      kind: 'requestfailed',
      text: `${request.method()} ${request.url()}: ${request.failure()?.errorText}`,
      path: pathOf(request.url()),
    });
  });
  page.on('response', (response) => {
    answered.add(response.request());
    if (response.status() < 400) return;
    incidents.push({
      kind: 'response',
      text: `${response.request().method()} ${response.url()} → ${response.status()}`,
      path: pathOf(response.url()),
      status: response.status(),
    });
  });

  const matches = (failure: ExpectedFailure, path: string | undefined) =>
    path !== undefined &&
    (typeof failure.path === 'string' ? failure.path === path : failure.path.test(path));

  const isExpected = (incident: Incident) => {
    if (incident.kind === 'response')
      return expected.some(
        (f) => matches(f, incident.path) && (f.status === undefined || f.status === incident.status),
      );
    // Chromium reports every error answer on the console as "Failed to load resource: … status of N".
    if (incident.kind === 'console' && /Failed to load resource/.test(incident.text)) {
      const status = Number(/status of (\d+)/.exec(incident.text)?.[1]);
      return expected.some(
        (f) => matches(f, incident.path) && (f.status === undefined || f.status === status),
      );
    }
    return false;
  };

  const session: BrowserSession = {
    context,
    page,
    cdp,
    authenticatorId,
    async goto(url) {
      await session.settle();
      await page.goto(url);
    },
    async settle() {
      await page.waitForLoadState('networkidle');
    },
    expect(failure) {
      expected.push(failure);
    },
    assertClean() {
      const unexpected = incidents.filter((i) => !isExpected(i));
      // Each test starts afresh on a shared session.
      incidents.length = 0;
      expected.length = 0;
      if (unexpected.length > 0) {
        throw new Error(
          `Unexpected browser errors:\n${unexpected.map((i) => `  [${i.kind}] ${i.text}`).join('\n')}`,
        );
      }
    },
    async screenshot(name) {
      await mkdir(SCREENSHOTS, { recursive: true });
      // No hover state in the pictures, and no colour transition caught halfway by a scheme switch.
      await page.mouse.move(0, 0);
      // A modal <dialog> covers the viewport: a full-page picture would show it, and its backdrop,
      // where the page happened to be scrolled, not as the person sees it.
      const fullPage = (await page.locator('dialog[open]').count()) === 0;
      for (const [size, viewport] of [
        ['wide', WIDE],
        ['360', NARROW],
      ] as const) {
        await page.setViewportSize(viewport);
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          await page.screenshot({
            path: join(SCREENSHOTS, `${name}.${size}.${scheme}.png`),
            fullPage,
            animations: 'disabled',
          });
        }
      }
      await page.setViewportSize(WIDE);
      await page.emulateMedia({ colorScheme: 'light' });
    },
    async setUserVerified(verified) {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: verified });
    },
    async withPresence(action) {
      const presence = (enabled: boolean) =>
        cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });
      await presence(true);
      try {
        return await action();
      } finally {
        await presence(false);
      }
    },
    async waitForPendingAutofill() {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const calls = await session.webauthnCalls();
        const last = calls.at(-1);
        if (last?.mediation === 'conditional' && last.state === 'pending') return;
        if (Date.now() > deadline)
          throw new Error(`no pending conditional WebAuthn request; calls: ${JSON.stringify(calls)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async webauthnCalls() {
      return page.evaluate('structuredClone(window.__webauthnCalls ?? [])');
    },
    async credentials() {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials;
    },
    async plugInSecurityKey(credentials = []) {
      const { authenticatorId: key } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'usb',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
      for (const credential of credentials)
        await cdp.send('WebAuthn.addCredential', { authenticatorId: key, credential });
      return async () => {
        await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: key });
      };
    },
    async close() {
      await context.close();
    },
  };
  return session;
}
