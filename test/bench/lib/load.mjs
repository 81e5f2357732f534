import autocannon from 'autocannon';

/**
 * Drives one target with autocannon from this (the runner's) process and returns its figures.
 * `request` is an autocannon request object ({ method, path, headers, body, setupRequest, onResponse }),
 * so a scenario that needs per-request state (a token pool, a passkey ceremony) passes its hooks here.
 * @param {string} url the server's base URL (http://127.0.0.1:<port>)
 * @param {{ method?: string, path: string }} request
 * @param {{ duration: number, connections: number, pipelining: number }} load
 */
export async function measure(url, request, load) {
  const result = await autocannon({
    url,
    requests: [{ method: 'GET', ...request }],
    duration: load.duration,
    connections: load.connections,
    pipelining: load.pipelining,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    bytesPerResponse: result.requests.total > 0 ? result.throughput.total / result.requests.total : 0,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

/** One request before any load: a target that does not answer 2xx would measure its error path. */
export async function check(url, request) {
  const response = await fetch(new URL(request.path, url), {
    method: request.method ?? 'GET',
    headers: request.headers,
    body: request.body,
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${request.method ?? 'GET'} ${request.path} answered ${response.status}`);
}
