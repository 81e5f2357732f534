import { For, Match, Switch } from 'solid-js';
import { t } from '../i18n';
import { GroupsIcon, IdIcon, MailIcon, ProfileIcon, RefreshIcon, ShieldIcon } from './oidc-icons';
import './authorization.css';

const KNOWN = ['openid', 'profile', 'email', 'groups', 'offline_access'] as const;
type Known = (typeof KNOWN)[number];

function describe(scope: string): { title: string; detail: string } {
  switch (scope as Known) {
    case 'openid':
      return { title: t('interaction.scope.openid'), detail: t('interaction.scope.openidDetail') };
    case 'profile':
      return { title: t('interaction.scope.profile'), detail: t('interaction.scope.profileDetail') };
    case 'email':
      return { title: t('interaction.scope.email'), detail: t('interaction.scope.emailDetail') };
    case 'groups':
      return { title: t('interaction.scope.groups'), detail: t('interaction.scope.groupsDetail') };
    case 'offline_access':
      return { title: t('interaction.scope.offline'), detail: t('interaction.scope.offlineDetail') };
    default:
      return { title: t('interaction.scope.other', { scope }), detail: t('interaction.scope.otherDetail') };
  }
}

/**
 * What a client asks for, in plain words: one row per scope, the standard ones first in a fixed order,
 * then any others by name. Custom scopes described by the server (`scopeInfo`) use its name and text.
 */
export function ScopeList(props: {
  scopes: readonly string[];
  scopeInfo?: readonly { key: string; name: string; description?: string }[];
}) {
  const ordered = () => {
    const unique = [...new Set(props.scopes)];
    const known = KNOWN.filter((s) => unique.includes(s));
    return [...known, ...unique.filter((s) => !(KNOWN as readonly string[]).includes(s))];
  };
  const text = (scope: string) => {
    const info = props.scopeInfo?.find((i) => i.key === scope);
    return info ? { title: info.name, detail: info.description ?? '' } : describe(scope);
  };
  return (
    <ul class="scopes" data-testid="scopes">
      <For each={ordered()}>
        {(scope) => (
          <li data-scope={scope}>
            <span class="scope-icon">
              <Switch fallback={<ShieldIcon />}>
                <Match when={scope === 'openid'}>
                  <IdIcon />
                </Match>
                <Match when={scope === 'profile'}>
                  <ProfileIcon />
                </Match>
                <Match when={scope === 'email'}>
                  <MailIcon />
                </Match>
                <Match when={scope === 'groups'}>
                  <GroupsIcon />
                </Match>
                <Match when={scope === 'offline_access'}>
                  <RefreshIcon />
                </Match>
              </Switch>
            </span>
            <span class="scope-text">
              <strong>{text(scope).title}</strong>
              <span>{text(scope).detail}</span>
            </span>
          </li>
        )}
      </For>
    </ul>
  );
}
