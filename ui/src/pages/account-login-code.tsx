import { Show, createSignal, onCleanup, type JSX } from 'solid-js';
import { api } from '../api/endpoints';
import { Alert, ErrorAlert } from '../components/Alert';
import { Button } from '../components/Button';
import { CopyButton } from '../components/CopyButton';
import { QrCode } from '../components/QrCode';
import { SelectField } from '../components/SelectField';
import { KeyIcon } from '../components/icons';
import { t } from '../i18n';
import { formatRelative, formatTime } from '../lib/format';

/** How long a code may live, in seconds (the server takes up to 31 days; these are the useful ones). */
const LIFETIMES = [
  { seconds: 15 * 60, label: () => t('account.loginCode15m') },
  { seconds: 60 * 60, label: () => t('account.loginCode1h') },
  { seconds: 24 * 60 * 60, label: () => t('account.loginCode1d') },
];

interface Created {
  code: string;
  link: string;
  expiresAt: Date;
}

/**
 * A login code to sign in on another device (`POST /api/users/me/one-time-access-token`): shown as
 * the code, the `/lc/<code>` link and a QR code of the link, with its expiry. The server answers only
 * the code, so the expiry is the lifetime asked for, counted from the answer.
 */
export function LoginCodePanel() {
  const [lifetime, setLifetime] = createSignal(String(LIFETIMES[0]!.seconds));
  const [creating, setCreating] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [created, setCreated] = createSignal<Created>();
  // Ticks so the "expires in" text and the expired state follow the clock.
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), 15_000);
  onCleanup(() => clearInterval(timer));

  async function create(event: Event) {
    event.preventDefault();
    if (creating()) return;
    setCreating(true);
    setError(undefined);
    try {
      const seconds = Number(lifetime());
      const { token } = await api.loginCodes.create(seconds);
      setNow(Date.now());
      setCreated({
        code: token,
        // The page is on APP_URL (passkeys need it), so its origin is where the link must lead.
        link: `${window.location.origin}/lc/${encodeURIComponent(token)}`,
        expiresAt: new Date(Date.now() + seconds * 1000),
      });
    } catch (failure) {
      setError(failure);
    } finally {
      setCreating(false);
    }
  }

  const expired = () => {
    const code = created();
    return code !== undefined && code.expiresAt.getTime() <= now();
  };

  return (
    <section class="panel" aria-labelledby="login-code-title">
      <div class="panel-head">
        <div>
          <h2 id="login-code-title">{t('account.loginCodeTitle')}</h2>
          <p>{t('account.loginCodeDescription')}</p>
        </div>
      </div>
      <Show when={error()}>
        <ErrorAlert error={error()} />
      </Show>
      <Show
        when={created()}
        fallback={
          <form class="login-code-form" onSubmit={create} novalidate>
            <SelectField
              id="login-code-lifetime"
              label={t('account.loginCodeLifetime')}
              options={LIFETIMES.map((l) => ({ value: String(l.seconds), label: l.label() }))}
              value={lifetime()}
              onChange={(event) => setLifetime(event.currentTarget.value)}
            />
            <Button
              type="submit"
              icon={<KeyIcon />}
              busy={creating()}
              busyLabel={t('account.loginCodeCreating')}
            >
              {t('account.loginCodeCreate')}
            </Button>
          </form>
        }
      >
        {(code) => (
          <div class="login-code">
            <QrCode value={code().link} label={t('account.loginCodeQr')} />
            <div class="login-code-details">
              <dl class="login-code-values">
                <dt>{t('account.loginCodeCode')}</dt>
                <dd class="copyable">
                  <code class="code-big" data-testid="login-code">
                    {code().code}
                  </code>
                  <CopyButton value={code().code} label={t('account.loginCodeCopyCode')} />
                </dd>
                <dt>{t('account.loginCodeLink')}</dt>
                <dd class="copyable">
                  {/* Text, not a link: opening it here would spend the code on this device. */}
                  <code class="code-link" data-testid="login-link">
                    {breakable(code().link)}
                  </code>
                  <CopyButton value={code().link} label={t('account.loginCodeCopyLink')} />
                </dd>
              </dl>
              <Show
                when={!expired()}
                fallback={
                  <Alert kind="warning">
                    <span>{t('account.loginCodeExpired')}</span>
                  </Alert>
                }
              >
                <p class="hint">
                  {t('account.loginCodeExpires', {
                    time: formatTime(code().expiresAt),
                    relative: formatRelative(code().expiresAt, now()),
                  })}
                </p>
              </Show>
              <div class="button-row">
                <Button variant="secondary" class="small" onClick={() => setCreated(undefined)}>
                  {t('account.loginCodeAnother')}
                </Button>
              </div>
            </div>
          </div>
        )}
      </Show>
    </section>
  );
}

/** The link, free to wrap before `/lc/` (on a phone: the address, then the code's path). */
function breakable(link: string): JSX.Element {
  const at = link.lastIndexOf('/lc/');
  if (at <= 0) return link;
  return (
    <>
      {link.slice(0, at)}
      <wbr />
      {link.slice(at)}
    </>
  );
}
