import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { send } from './http-client.js';
import { missingPeer } from './peers.js';

/**
 * Apache httpd with mod_auth_openidc (Debian's `apache2` + `libapache2-mod-auth-openidc`), an OpenID
 * certified relying party, as a private throwaway instance: its own ServerRoot, pid file, error log
 * and loopback port in a temporary folder (RECIPES "Apache mod_auth_openidc").
 *
 * `/protected/` requires an OpenID Connect sign-in; its page is a server-side include that prints the
 * `OIDC_CLAIM_*` variables the module sets from the ID token and userinfo.
 */
export const APACHE = process.env.APACHE_PATH ?? '/usr/sbin/apache2';
export const APACHE_MODULES = process.env.APACHE_MODULES ?? '/usr/lib/apache2/modules';
const OPENIDC_MODULE = join(APACHE_MODULES, 'mod_auth_openidc.so');

/** Whether apache2 and mod_auth_openidc are installed (a loud skip, or a failure under TEST_REQUIRE_PEERS=1). */
export function apacheAvailable(): boolean {
  const missing = [APACHE, OPENIDC_MODULE].filter((file) => !existsSync(file));
  if (missing.length === 0) return true;
  missingPeer(
    'Apache mod_auth_openidc',
    `${missing.join(' and ')} missing (apt-get install -y apache2 libapache2-mod-auth-openidc)`,
  );
  return false;
}

export interface ApacheRpOptions {
  /** The loopback port to listen on; the redirect URI (registered with the OP first) contains it. */
  port: number;
  /** The OP's issuer: its discovery document is `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  /** Send PKCE S256 (`OIDCPKCEMethod S256`); without it, the package's default sends none. */
  pkce?: boolean;
}

export interface ApacheRp {
  url: string;
  /** Where the OP sends the authorization response (`OIDCRedirectURI`). */
  redirectUri: string;
  /** The claims page, behind the sign-in. */
  protectedPath: string;
  /** The error log so far (mod_auth_openidc explains every refusal there). */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/** The redirect URI an instance on `port` uses; the client must be registered with it before start. */
export function apacheRedirectUri(port: number): string {
  return `http://127.0.0.1:${port}/protected/redirect_uri`;
}

/** The variables the claims page prints, one `<dd id="…">` each (SSI escapes them as HTML entities). */
export const CLAIM_VARIABLES = [
  'REMOTE_USER',
  'OIDC_CLAIM_iss',
  'OIDC_CLAIM_sub',
  'OIDC_CLAIM_email',
  'OIDC_CLAIM_email_verified',
  'OIDC_CLAIM_preferred_username',
  'OIDC_CLAIM_name',
  'OIDC_CLAIM_given_name',
  'OIDC_CLAIM_family_name',
  'OIDC_CLAIM_groups',
] as const;

const CLAIMS_PAGE = [
  '<!doctype html>',
  '<title>Claims</title>',
  '<dl>',
  ...CLAIM_VARIABLES.map((v) => `<dt>${v}</dt><dd id="${v}"><!--#echo var="${v}" --></dd>`),
  '</dl>',
  '',
].join('\n');

/** Reads the claims page back: variable name → value (`(none)` is what SSI prints for an unset one). */
export function parseClaimsPage(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [, name, value] of html.matchAll(/<dd id="([^"]+)">([^<]*)<\/dd>/g)) {
    out[name!] = value!
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
  return out;
}

function config(dir: string, options: ApacheRpOptions): string {
  const mod = (name: string, file: string) => `LoadModule ${name} ${join(APACHE_MODULES, file)}`;
  // Apache refuses to serve as root; Debian's unprivileged user then reads the page (see chmod below).
  const asRoot = process.getuid?.() === 0;
  return [
    `ServerRoot "${dir}"`,
    `ServerName 127.0.0.1`,
    `Listen 127.0.0.1:${options.port}`,
    `PidFile "${join(dir, 'apache2.pid')}"`,
    `DefaultRuntimeDir "${join(dir, 'run')}"`,
    `ErrorLog "${join(dir, 'error.log')}"`,
    `LogLevel warn auth_openidc:info`,
    ...(asRoot ? ['User www-data', 'Group www-data'] : []),
    mod('mpm_event_module', 'mod_mpm_event.so'),
    mod('authn_core_module', 'mod_authn_core.so'),
    mod('authz_core_module', 'mod_authz_core.so'),
    mod('authz_user_module', 'mod_authz_user.so'),
    mod('dir_module', 'mod_dir.so'),
    mod('include_module', 'mod_include.so'),
    mod('auth_openidc_module', 'mod_auth_openidc.so'),
    `DocumentRoot "${join(dir, 'htdocs')}"`,
    `DirectoryIndex claims.shtml`,
    `<Directory />`,
    `  Require all granted`,
    `</Directory>`,
    // An http issuer is accepted through discovery (static endpoint directives would demand https).
    `OIDCProviderMetadataURL ${options.issuer}/.well-known/openid-configuration`,
    `OIDCClientID ${options.clientId}`,
    `OIDCClientSecret "${options.clientSecret}"`,
    `OIDCRedirectURI ${apacheRedirectUri(options.port)}`,
    `OIDCCryptoPassphrase ${randomBytes(24).toString('hex')}`,
    `OIDCScope "${options.scope}"`,
    `OIDCPassClaimsAs environment`,
    // 2.4.12 sends no PKCE unless told to.
    ...(options.pkce ? ['OIDCPKCEMethod S256'] : []),
    `<Location /protected>`,
    `  AuthType openid-connect`,
    `  Require valid-user`,
    `  Options +Includes`,
    `  ForceType text/html`,
    `  SetOutputFilter INCLUDES`,
    `</Location>`,
    '',
  ].join('\n');
}

/** Starts Apache in the foreground as the leader of its own process group; resolves once it answers. */
export async function startApacheRp(options: ApacheRpOptions): Promise<ApacheRp> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-apache-'));
  await mkdir(join(dir, 'run'));
  await mkdir(join(dir, 'htdocs/protected'), { recursive: true });
  await writeFile(join(dir, 'htdocs/protected/claims.shtml'), CLAIMS_PAGE);
  await chmod(dir, 0o755);
  const conf = join(dir, 'apache2.conf');
  await writeFile(conf, config(dir, options));

  const url = `http://127.0.0.1:${options.port}`;
  const errorLog = () => readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
  const child: ChildProcess = spawn(APACHE, ['-f', conf, '-DFOREGROUND'], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const stop = async () => {
    if (running && child.pid) {
      // The whole group: the parent and its workers (a graceful-stop of the parent alone would do too).
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };

  // Until it answers: a start-up failure (bad directive, port taken) ends the process instead.
  for (;;) {
    if (!running) {
      const log = await errorLog();
      await rm(dir, { recursive: true, force: true });
      throw new Error(`apache2 did not start: ${stderr}\n${log}`);
    }
    const answered = await send(url, { path: '/' }).then(
      () => true,
      () => false,
    );
    if (answered) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, redirectUri: apacheRedirectUri(options.port), protectedPath: '/protected/', errorLog, stop };
}
