import { Match, Show, Switch, createResource, type JSX } from 'solid-js';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import { t } from '../i18n';
import { PasskeyError } from '../lib/webauthn';
import { AlertIcon, CheckIcon, InfoIcon } from './icons';

export function Alert(props: {
  kind: 'error' | 'success' | 'warning' | 'info';
  title?: string;
  children?: JSX.Element;
}) {
  // Errors interrupt (role=alert); the others are announced when the reader is idle.
  return (
    <div class={`alert ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      <Switch fallback={<InfoIcon />}>
        <Match when={props.kind === 'error' || props.kind === 'warning'}>
          <AlertIcon />
        </Match>
        <Match when={props.kind === 'success'}>
          <CheckIcon />
        </Match>
      </Switch>
      <div class="alert-body">
        <Show when={props.title}>
          <strong>{props.title}</strong>
        </Show>
        {props.children}
      </div>
    </div>
  );
}

/**
 * Any failure, explained: an API error shows the server's problem `detail` (and its request ID, for a
 * report); a passkey failure says why in plain words, and when the browser refuses passkeys on this
 * address it shows this page's address next to APP_URL, the usual cause.
 */
export function ErrorAlert(props: { error: unknown }) {
  const passkey = () => (props.error instanceof PasskeyError ? props.error : undefined);
  const wrongAddress = () => passkey()?.kind === 'security' || passkey()?.kind === 'unavailable';
  return (
    <Switch
      fallback={
        <Alert kind="error">
          <span>{props.error instanceof Error ? props.error.message : t('error.title')}</span>
        </Alert>
      }
    >
      <Match when={props.error instanceof ApiError && props.error}>
        {(error) => (
          <Alert kind="error">
            <span>{error().message}</span>
            <Show when={error().requestId}>
              <span class="request-id">{t('error.requestId', { id: error().requestId! })}</span>
            </Show>
          </Alert>
        )}
      </Match>
      <Match when={wrongAddress()}>
        <AddressAlert kind={passkey()!.kind as 'security' | 'unavailable'} />
      </Match>
      <Match when={passkey()}>
        {(error) => (
          <Alert kind="error">
            <span>{passkeyMessage(error())}</span>
          </Alert>
        )}
      </Match>
    </Switch>
  );
}

function passkeyMessage(error: PasskeyError): string {
  switch (error.kind) {
    case 'cancelled':
      return t('passkey.cancelled');
    case 'already-registered':
      return t('passkey.alreadyRegistered');
    case 'unsupported':
      return t('passkey.unsupported');
    default:
      return t('passkey.failed', { message: error.message });
  }
}

function AddressAlert(props: { kind: 'security' | 'unavailable' }) {
  // The issuer is APP_URL; asked only now, when it is needed.
  const [issuer] = createResource(async () => {
    try {
      return (await api.discovery()).issuer;
    } catch {
      return undefined;
    }
  });
  return (
    <Alert
      kind="error"
      title={props.kind === 'security' ? t('passkey.securityTitle') : t('passkey.unavailableTitle')}
    >
      <span>{props.kind === 'security' ? t('passkey.securityBody') : t('passkey.unavailableBody')}</span>
      <dl>
        <dt>{t('passkey.thisPage')}</dt>
        <dd>
          <code>{window.location.origin}</code>
        </dd>
        <Show when={issuer()}>
          <dt>{t('passkey.appUrl')}</dt>
          <dd>
            <code>{issuer()}</code>
          </dd>
        </Show>
      </dl>
      <Show when={issuer() && new URL(issuer()!).origin !== window.location.origin}>
        <a
          class="alert-link"
          href={new URL(window.location.pathname + window.location.search, issuer()).href}
        >
          {t('passkey.openAppUrl')}
        </a>
      </Show>
    </Alert>
  );
}
