import { Match, Show, Switch, type JSX } from 'solid-js';
import { AuthCard } from './AuthCard';
import { AlertIcon, CheckIcon, InfoIcon } from './icons';
import { BlockIcon } from './oidc-icons';
import { Spinner } from './Spinner';
import './authorization.css';

/**
 * The end of a flow, or a dead end, as a card with a big status mark instead of the logo: done, denied,
 * an error, or on the way somewhere (a spinner; announced politely).
 */
export function Outcome(props: {
  kind: 'success' | 'denied' | 'error' | 'info' | 'progress';
  title: string;
  body?: JSX.Element;
  children?: JSX.Element;
}) {
  return (
    <AuthCard
      title={props.title}
      description={props.body}
      logo={
        <span class={`outcome-mark ${props.kind}`} aria-hidden="true">
          <Switch fallback={<InfoIcon />}>
            <Match when={props.kind === 'success'}>
              <CheckIcon />
            </Match>
            <Match when={props.kind === 'denied'}>
              <BlockIcon />
            </Match>
            <Match when={props.kind === 'error'}>
              <AlertIcon />
            </Match>
            <Match when={props.kind === 'progress'}>
              <Spinner />
            </Match>
          </Switch>
        </span>
      }
    >
      <Show when={props.kind === 'progress'}>
        <p class="visually-hidden" role="status">
          {props.title}
        </p>
      </Show>
      <Show when={props.children}>
        <div class="stack">{props.children}</div>
      </Show>
    </AuthCard>
  );
}
