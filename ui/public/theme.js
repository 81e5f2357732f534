/* global document, localStorage */
// Runs before the first paint (a blocking classic script: the page CSP forbids inline ones), so a saved
// light or dark choice never flashes the system theme first. ui/src/lib/theme.ts owns the same key.
try {
  const theme = localStorage.getItem('latchkey.theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
} catch {
  // Storage can be blocked (private modes, policies); the system theme applies then.
}
