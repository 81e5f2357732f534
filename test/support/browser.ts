import { send, type RawRequest, type RawResponse } from './http-client.js';

/**
 * A cookie-keeping HTTP client for API tests: it stores what `Set-Cookie` sets (and drops cleared or
 * expired cookies) and sends them back, as a browser would for one origin.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async request(req: RawRequest): Promise<RawResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await send(this.baseUrl, {
      ...req,
      headers: { ...(cookie ? { cookie } : {}), ...req.headers },
    });
    const setCookie = res.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const maxAge = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('max-age='));
      if (value === '' || (maxAge && Number(maxAge.split('=')[1]) <= 0)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request({ path, headers });
  }

  post(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request({
      method: 'POST',
      path,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  patch(path: string, body: unknown) {
    return this.request({
      method: 'PATCH',
      path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  delete(path: string) {
    return this.request({ method: 'DELETE', path });
  }
}
