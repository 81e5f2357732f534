import { Agent, request as httpRequest } from 'node:http';

/**
 * A small HTTP/1.1 client on `node:http` with keep-alive, for the grants scenarios' setup and their
 * closed-loop flows: cheaper per request than `fetch` in the runner process (which shares the machine
 * with the server under test), and it never follows redirects, so a flow reads each `Location` itself.
 */
export function createClient(baseUrl, { connections = 1 } = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const base = new URL(baseUrl);
  return {
    /** @returns {Promise<{ status: number, headers: import('node:http').IncomingHttpHeaders, body: string, bytes: number }>} */
    request(method, path, { headers = {}, body } = {}) {
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          {
            agent,
            host: base.hostname,
            port: base.port,
            method,
            path,
            headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            const chunks = [];
            // What came over the wire, as autocannon counts it: status line, headers, body.
            let bytes = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n\r\n`.length;
            for (let i = 0; i < res.rawHeaders.length; i += 2) {
              bytes += res.rawHeaders[i].length + res.rawHeaders[i + 1].length + 4;
            }
            res.on('data', (chunk) => {
              chunks.push(chunk);
              bytes += chunk.length;
            });
            res.on('end', () =>
              resolve({
                status: res.statusCode,
                headers: res.headers,
                body: Buffer.concat(chunks).toString('utf8'),
                bytes,
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** `name=value` pairs of a response's Set-Cookie headers (deleted cookies left out), as a Cookie header. */
export function cookiesOf(response, previous = '') {
  const jar = new Map(
    previous
      .split('; ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair]),
  );
  for (const line of response.headers['set-cookie'] ?? []) {
    const pair = line.split(';')[0];
    const name = pair.slice(0, pair.indexOf('='));
    if (pair.endsWith('=')) jar.delete(name);
    else jar.set(name, pair);
  }
  return [...jar.values()].join('; ');
}

export const basicAuth = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export const FORM = 'application/x-www-form-urlencoded';
