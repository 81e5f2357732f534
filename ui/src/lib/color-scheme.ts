import { createSignal } from 'solid-js';
import { theme } from './theme';

/**
 * Whether the page shows dark colours now: the saved choice, else the system's (followed live), the same
 * rule as styles.css. For what CSS cannot switch by itself, such as a client's dark logo.
 */
const query = window.matchMedia('(prefers-color-scheme: dark)');
const [systemDark, setSystemDark] = createSignal(query.matches);
query.addEventListener('change', (event) => setSystemDark(event.matches));

export function isDark(): boolean {
  const choice = theme();
  return choice === 'dark' || (choice === 'system' && systemDark());
}

/** The same as an accessor, for components that keep one (`const dark = createIsDark()`). */
export function createIsDark(): () => boolean {
  return isDark;
}
