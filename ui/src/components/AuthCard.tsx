import { Show, createEffect, type JSX } from 'solid-js';
import { api } from '../api/endpoints';
import { appName } from '../lib/app-config';

/**
 * The centred card every sign-in page uses: the app's logo, a heading (the page's <h1>, which also
 * names the document), a short description, then the page's content.
 */
export function AuthCard(props: {
  title: string;
  description?: JSX.Element;
  wide?: boolean;
  /** Replaces the app's logo above the heading (the authorization pages show the app and the client). */
  logo?: JSX.Element;
  children: JSX.Element;
  footer?: JSX.Element;
}) {
  createEffect(() => {
    document.title = `${props.title} · ${appName()}`;
  });
  return (
    <section class={`card${props.wide ? ' wide' : ''}`} aria-labelledby="page-title">
      <header class="card-head">
        <Show
          when={props.logo}
          fallback={<img class="logo" src={api.images.logo} alt="" width="56" height="56" />}
        >
          {props.logo}
        </Show>
        <h1 id="page-title">{props.title}</h1>
        <Show when={props.description}>
          <p>{props.description}</p>
        </Show>
      </header>
      {props.children}
      <Show when={props.footer}>
        <div class="card-foot">{props.footer}</div>
      </Show>
    </section>
  );
}
