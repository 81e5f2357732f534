import {
  ErrorBoundary,
  Match,
  Show,
  Suspense,
  Switch,
  createEffect,
  createResource,
  type JSX,
} from 'solid-js';
import { Portal } from 'solid-js/web';
import { Alert, ErrorAlert } from './components/Alert';
import { Button } from './components/Button';
import { Loading } from './components/Spinner';
import { ThemeSwitch } from './components/ThemeSwitch';
import { t } from './i18n';
import { loadAppConfig } from './lib/app-config';
import { applyAccent, applyReducedMotion, themeSwitchSlot } from './lib/theme';

/**
 * The frame around every page: a skip link, the theme switch (in its own bar, or in the place a page's
 * header offers: lib/theme.ts), and the page itself once the public application configuration (name,
 * accent colour) is in. A failure to load it, or an error a page did not handle, shows a message with a
 * retry instead of a blank page.
 */
export function Shell(props: { children?: JSX.Element }) {
  const [config, { refetch }] = createResource(loadAppConfig);
  createEffect(() => {
    const loaded = config.state === 'ready' ? config() : undefined;
    if (!loaded) return;
    applyAccent(loaded.accentColor);
    applyReducedMotion(loaded.disableAnimations);
  });
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <Show
        when={themeSwitchSlot()}
        fallback={
          <div class="topbar">
            <span />
            <ThemeSwitch />
          </div>
        }
      >
        {(slot) => (
          <Portal mount={slot()}>
            <ThemeSwitch />
          </Portal>
        )}
      </Show>
      <main class="content" id="main" tabindex="-1">
        <Switch>
          <Match when={config.error as unknown}>
            <section class="card stack" aria-live="polite">
              <Alert kind="error" title={t('error.title')}>
                <span>{t('app.configError')}</span>
              </Alert>
              <Button variant="secondary" onClick={() => void refetch()}>
                {t('app.retry')}
              </Button>
            </section>
          </Match>
          <Match when={config.state === 'ready'}>
            <ErrorBoundary
              fallback={(error, reset) => (
                <section class="card stack">
                  <ErrorAlert error={error} />
                  <Button variant="secondary" onClick={reset}>
                    {t('app.retry')}
                  </Button>
                </section>
              )}
            >
              <Suspense fallback={<Loading />}>{props.children}</Suspense>
            </ErrorBoundary>
          </Match>
          <Match when={true}>
            <Loading />
          </Match>
        </Switch>
      </main>
    </div>
  );
}
