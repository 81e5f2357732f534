import { A, useSearchParams } from '@solidjs/router';
import { Show } from 'solid-js';
import { Outcome } from '../components/Outcome';
import { t } from '../i18n';
import { appName } from '../lib/app-config';

/**
 * `/interaction/error?error=…&error_description=…`: where the authorization endpoint sends the browser
 * when it must not send it back to the app (RFC 6749 §4.1.2.1: the client or its redirect URI is not
 * verified), or when the person may not use the app. The server's `error` and `error_description` say
 * which; the page explains it in plain words and shows both for a report. It links only home: a return
 * address the server did not verify is never offered.
 */
export default function InteractionError() {
  const [params] = useSearchParams<{ error?: string; error_description?: string }>();
  const explained = () => explain(params.error, params.error_description);
  return (
    <Outcome
      kind={params.error === 'access_denied' ? 'denied' : 'error'}
      title={explained().title}
      body={explained().body}
    >
      <Show when={params.error || params.error_description}>
        <dl class="error-facts" data-testid="error-facts">
          <Show when={params.error}>
            <dt>{t('interaction.error.code')}</dt>
            <dd>
              <code>{params.error}</code>
            </dd>
          </Show>
          <Show when={params.error_description}>
            <dt>{t('interaction.error.details')}</dt>
            <dd>{params.error_description}</dd>
          </Show>
        </dl>
      </Show>
      <A class="button secondary block" href="/">
        {t('interaction.home', { app: appName() })}
      </A>
    </Outcome>
  );
}

/**
 * The server's errors (authorize.endpoint.ts and the checks before the redirect URI is verified), by
 * code and, for `invalid_request`, by the description it sends for a redirect URI or a spent request.
 */
function explain(
  error: string | undefined,
  description: string | undefined,
): { title: string; body: string } {
  const app = appName();
  switch (error) {
    case 'access_denied':
      return {
        title: t('interaction.error.accessDeniedTitle'),
        body: t('interaction.error.accessDeniedBody', { app }),
      };
    case 'invalid_client':
      return {
        title: t('interaction.error.unknownClientTitle'),
        body: t('interaction.error.unknownClientBody', { app }),
      };
    case 'invalid_request_uri':
      return { title: t('interaction.goneTitle'), body: t('interaction.goneBody') };
  }
  if (error === 'invalid_request' && description) {
    if (/redirect_uri/.test(description))
      return {
        title: t('interaction.error.redirectTitle'),
        body: t('interaction.error.redirectBody', { app }),
      };
    if (/expired|already used/i.test(description))
      return { title: t('interaction.goneTitle'), body: t('interaction.goneBody') };
  }
  return { title: t('interaction.error.invalidTitle'), body: t('interaction.error.invalidBody', { app }) };
}
