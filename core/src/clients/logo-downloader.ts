import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { refusedAddress, type OutboundAddressPolicy } from './checks/outbound-address.check.js';

/** Fetches the bytes behind a logo URL; throws {@link LogoDownloadError} for every failure. */
export interface LogoDownloader {
  download(url: string): Promise<Buffer>;
}

export type LogoDownloadFailure =
  'bad_url' | 'refused_address' | 'timeout' | 'too_large' | 'http_status' | 'too_many_redirects' | 'network';

export class LogoDownloadError extends Error {
  override readonly name = 'LogoDownloadError';
  constructor(
    readonly reason: LogoDownloadFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface HttpLogoDownloaderOptions {
  policy: OutboundAddressPolicy;
  /** The largest body accepted (Pocket ID: 2 MiB). */
  maxBytes?: number;
  /** One deadline for the whole download, redirects included. */
  timeoutMs?: number;
  maxRedirects?: number;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads with node:http(s), checking every address it connects to against the outbound policy. The
 * check sits in the socket's own DNS lookup, so the address that was checked is the address connected
 * to (no DNS-rebinding window), and each redirect hop is checked again. No connection pooling: a pooled
 * socket would skip the lookup. The whole download, redirects included, shares one deadline, and the
 * body is counted as it streams, so neither a slow nor a huge answer holds the request for long.
 */
export class HttpLogoDownloader implements LogoDownloader {
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;

  constructor(private readonly options: HttpLogoDownloaderOptions) {
    this.maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxRedirects = options.maxRedirects ?? 5;
  }

  async download(url: string): Promise<Buffer> {
    const deadline = Date.now() + this.timeoutMs;
    let target = this.parse(url);
    for (let hops = 0; ; hops++) {
      const answer = await this.fetchOnce(target, deadline);
      if ('body' in answer) return answer.body;
      if (hops >= this.maxRedirects) {
        throw new LogoDownloadError('too_many_redirects', `more than ${this.maxRedirects} redirects`);
      }
      target = this.parse(answer.location, target);
    }
  }

  private parse(url: string, base?: URL): URL {
    let parsed: URL;
    try {
      parsed = new URL(url, base);
    } catch {
      throw new LogoDownloadError('bad_url', 'is not a valid URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new LogoDownloadError('bad_url', `uses ${parsed.protocol} where http or https is required`);
    }
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    // An IP literal is connected to without a DNS lookup, so it is checked here.
    if (isIP(host)) {
      const refused = refusedAddress(host, this.options.policy);
      if (refused) throw new LogoDownloadError('refused_address', `points to ${host}, which ${refused}`);
    }
    return parsed;
  }

  /** Resolves like dns.lookup, but fails when any resolved address is refused by the policy. */
  private readonly guardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      for (const { address } of addresses) {
        const refused = refusedAddress(address, this.options.policy);
        if (refused) {
          return callback(
            new LogoDownloadError('refused_address', `resolves to ${address}, which ${refused}`),
            [],
          );
        }
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      return callback(null, first.address, first.family);
    });
  };

  private fetchOnce(url: URL, deadline: number): Promise<{ body: Buffer } | { location: string }> {
    return new Promise((resolve, reject) => {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        reject(this.timeout());
        return;
      }
      let settled = false;
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, {
        method: 'GET',
        agent: false,
        lookup: this.guardedLookup as unknown as typeof dnsLookup,
        headers: { accept: 'image/*', 'user-agent': 'Latchkey logo download' },
      });
      const finish = (error: Error | null, value?: { body: Buffer } | { location: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          req.destroy();
          reject(error instanceof LogoDownloadError ? error : networkError(error));
        } else {
          resolve(value!);
        }
      };
      const timer = setTimeout(() => finish(this.timeout()), remaining);
      req.on('error', (error) => finish(error));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (REDIRECTS.has(status) && location) {
          res.resume();
          finish(null, { location });
          req.destroy();
          return;
        }
        if (status < 200 || status > 299) {
          res.resume();
          finish(new LogoDownloadError('http_status', `answered HTTP ${status}`));
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > this.maxBytes) {
          finish(this.tooLarge());
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBytes) finish(this.tooLarge());
          else chunks.push(chunk);
        });
        res.on('end', () => finish(null, { body: Buffer.concat(chunks, size) }));
        res.on('error', (error) => finish(error));
        res.on('aborted', () => finish(new LogoDownloadError('network', 'closed the connection early')));
      });
      req.end();
    });
  }

  private timeout(): LogoDownloadError {
    return new LogoDownloadError('timeout', `did not answer within ${this.timeoutMs / 1000} s`);
  }

  private tooLarge(): LogoDownloadError {
    return new LogoDownloadError('too_large', `is larger than ${this.maxBytes} bytes`);
  }
}

function networkError(error: Error): LogoDownloadError {
  const code = (error as NodeJS.ErrnoException).code;
  const message =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN'
      ? 'could not be resolved'
      : code === 'ECONNREFUSED'
        ? 'refused the connection'
        : `could not be fetched (${code ?? error.message})`;
  return new LogoDownloadError('network', message);
}
