import { Match, Switch } from 'solid-js';
import { t } from '../i18n';
import { nextTheme, setTheme, theme } from '../lib/theme';
import { MoonIcon, SunIcon, SystemIcon } from './icons';

/** Cycles system → light → dark; the label says the current choice and what a press does. */
export function ThemeSwitch() {
  const label = () =>
    t('theme.label', { current: t(`theme.${theme()}`), next: t(`theme.${nextTheme(theme())}`) });
  return (
    <button
      type="button"
      class="button ghost icon"
      aria-label={label()}
      title={label()}
      onClick={() => setTheme(nextTheme(theme()))}
    >
      <Switch fallback={<SystemIcon />}>
        <Match when={theme() === 'light'}>
          <SunIcon />
        </Match>
        <Match when={theme() === 'dark'}>
          <MoonIcon />
        </Match>
      </Switch>
    </button>
  );
}
