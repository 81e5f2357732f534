import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

/**
 * Builds the SPA into ui/dist, which the server serves (core/src/http/static-files.ts). Hashed files go
 * under `assets/` (cached for a year); the manifest lets `npm run bench` find what `/login` loads.
 * `npm run dev -w @latchkey/ui` proxies the API to a server on :1411 (its APP_URL must then be the
 * dev server's origin for passkeys to work).
 */
export default defineConfig({
  plugins: [solid()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    // Every supported browser has <link rel=modulepreload>; the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    // The server sends a CSP without 'unsafe-inline': never inline assets as data: scripts or styles.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': 'http://localhost:1411',
      '/.well-known': 'http://localhost:1411',
      '/authorize': 'http://localhost:1411',
    },
  },
});
