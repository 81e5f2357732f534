import { createSignal } from 'solid-js';

/**
 * Light, dark or the system's choice, saved in localStorage (public/theme.js applies it before the
 * first paint) and reflected as <html data-theme>. styles.css does the rest.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'latchkey.theme';
const ORDER: ThemeChoice[] = ['system', 'light', 'dark'];

function saved(): ThemeChoice {
  try {
    const value = localStorage.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

const [theme, setThemeSignal] = createSignal<ThemeChoice>(saved());
export { theme };

export function setTheme(choice: ThemeChoice): void {
  setThemeSignal(choice);
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    // Not saved when storage is blocked; the choice still holds for this page.
  }
}

export function nextTheme(choice: ThemeChoice): ThemeChoice {
  return ORDER[(ORDER.indexOf(choice) + 1) % ORDER.length]!;
}

/**
 * Where the theme switch goes: the shell's corner, unless a frame with a header of its own (the
 * settings frame) offers a place in it. The shell keeps rendering the switch either way, so the
 * signed-in pages' chunks carry none of its code.
 */
const [themeSwitchSlot, setThemeSwitchSlot] = createSignal<HTMLElement>();
export { themeSwitchSlot, setThemeSwitchSlot };

/**
 * Applies the configured accent colour (any CSS colour; `default` keeps the neutral one) with a text
 * colour that keeps WCAG AA contrast on it.
 */
export function applyAccent(color: string): void {
  const root = document.documentElement;
  const rgb = color && color !== 'default' ? toRgb(color) : undefined;
  if (!rgb) {
    delete root.dataset.accent;
    return;
  }
  root.style.setProperty('--custom-accent', color);
  root.style.setProperty('--custom-accent-fg', readableOn(rgb));
  root.dataset.accent = '';
}

export function applyReducedMotion(disabled: boolean): void {
  if (disabled) document.documentElement.dataset.reduceMotion = '';
  else delete document.documentElement.dataset.reduceMotion;
}

/** Any CSS colour as sRGB bytes, by letting a canvas parse it; undefined when it is not a colour. */
function toRgb(color: string): [number, number, number] | undefined {
  if (!CSS.supports('color', color)) return undefined;
  const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  if (!ctx) return undefined;
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, 1, 1);
  const [r = 0, g = 0, b = 0] = ctx.getImageData(0, 0, 1, 1).data;
  return [r, g, b];
}

/** White or near-black text, whichever has the higher WCAG 2 contrast ratio on the colour. */
function readableOn([r, g, b]: [number, number, number]): string {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const onWhite = 1.05 / (luminance + 0.05);
  // #18181b has a relative luminance of 0.0093.
  const onDark = (luminance + 0.05) / 0.0593;
  return onWhite >= onDark ? '#ffffff' : '#18181b';
}
