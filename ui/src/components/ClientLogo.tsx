import { Show, createEffect, createSignal, on } from 'solid-js';
import { api, type ClientMeta } from '../api/endpoints';
import { isDark } from '../lib/color-scheme';
import './authorization.css';

/** A client's logo URLs (null where it has none), from its public metadata. */
export function clientLogos(client: ClientMeta): { light: string | null; dark: string | null } {
  return {
    light: client.hasLogo ? api.oidc.logoUrl(client.id, true) : null,
    dark: client.hasDarkLogo ? api.oidc.logoUrl(client.id, false) : null,
  };
}

/**
 * A client's logo for the current colour scheme: the dark one in dark mode when there is one, else the
 * light one; without a logo (or when it fails to load), the first letter of its name. Decorative: the
 * client's name is always written next to it.
 */
export function ClientLogo(props: { name: string; light: string | null; dark: string | null }) {
  const [failed, setFailed] = createSignal(false);
  const src = () => (isDark() ? (props.dark ?? props.light) : props.light);
  createEffect(on(src, () => setFailed(false), { defer: true }));
  const initial = () => (props.name.trim()[0] ?? '?').toUpperCase();
  return (
    <Show
      when={src() && !failed()}
      fallback={
        <span class="client-mark monogram" aria-hidden="true">
          {initial()}
        </span>
      }
    >
      <img class="client-mark" src={src()!} alt="" width="56" height="56" onError={() => setFailed(true)} />
    </Show>
  );
}

/** The app's logo, a link, and the client's logo: who asks whom, above an authorization page's heading. */
export function AppAndClient(props: { name: string; light: string | null; dark: string | null }) {
  return (
    <div class="app-and-client">
      <img class="client-mark" src={api.images.logo} alt="" width="56" height="56" />
      <span class="link-dots" aria-hidden="true">
        <span />
        <span />
        <span />
      </span>
      <ClientLogo name={props.name} light={props.light} dark={props.dark} />
    </div>
  );
}
