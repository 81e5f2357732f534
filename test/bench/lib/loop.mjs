import { performance } from 'node:perf_hooks';

/** An answer a flow did not expect (a wrong status, no code in the redirect): counted as non-2xx. */
export class FlowError extends Error {}

/**
 * The closed-loop driver for a target that autocannon cannot express as one request: `connections`
 * loops, each running `iteration()` back to back for `duration` seconds (an iteration may make several
 * requests, e.g. GET /authorize then POST the code to the token endpoint). Returns what lib/load.mjs's
 * `measure` returns, per iteration: iterations per second, the p50 and p99 of an iteration's latency,
 * bytes received per iteration, and failures (a FlowError is a non-2xx, anything else an error).
 * @param {() => Promise<number>} iteration resolves to the bytes it received
 * @param {{ duration: number, connections: number }} load
 */
export async function measureLoop(iteration, load) {
  const latencies = [];
  let bytes = 0;
  let errors = 0;
  let non2xx = 0;
  const started = performance.now();
  const end = started + load.duration * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const received = await iteration();
        latencies.push(performance.now() - t0);
        bytes += received;
      } catch (error) {
        if (error instanceof FlowError) non2xx++;
        else errors++;
        // A refused connection fails at once: do not spin on it.
        if (!(error instanceof FlowError)) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  await Promise.all(Array.from({ length: load.connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) =>
    latencies.length > 0 ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : 0;
  return {
    rps: latencies.length / seconds,
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    total: latencies.length,
    bytesPerResponse: latencies.length > 0 ? bytes / latencies.length : 0,
    errors,
    timeouts: 0,
    non2xx,
  };
}

const round = (ms) => Math.round(ms * 10) / 10;
