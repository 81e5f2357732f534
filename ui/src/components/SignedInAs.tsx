import { Show, type JSX } from 'solid-js';
import { t } from '../i18n';
import './authorization.css';

/** Who is signed in, compactly: picture, name and email, with an optional action (switch account). */
export function SignedInAs(props: {
  user: { displayName?: string | null; username: string; email?: string | null; picture: string };
  action?: JSX.Element;
}) {
  const name = () => props.user.displayName || props.user.username;
  return (
    <div class="signed-in-as">
      <img src={props.user.picture} alt="" width="40" height="40" />
      <div class="who">
        <span class="label">{t('interaction.signedInAs')}</span>
        <span class="name" data-testid="signed-in-name">
          {name()}
        </span>
        <Show when={props.user.email}>
          <span class="meta">{props.user.email}</span>
        </Show>
      </div>
      <Show when={props.action}>{props.action}</Show>
    </div>
  );
}
