import { createServer } from 'node:net';

/**
 * The contract between the bench runner and a server child: print the URL on stdout once the server
 * accepts connections, and on SIGTERM close gracefully and exit 0 (so `--cpu-prof` writes its profile).
 */
export function announce(url, close) {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    Promise.resolve()
      .then(close)
      .then(
        () => process.exit(0),
        (error) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by the runner (with an IPC channel): if the runner dies without signalling us, stop too.
  // The same channel is where a later scenario can ask for process.cpuUsage() (CPU-time ratios).
  if (process.channel) process.on('disconnect', stop);
  process.stdout.write(`${url}\n`);
}

/** A free loopback port: APP_URL carries the port (WebAuthn needs it) before the server starts. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}
