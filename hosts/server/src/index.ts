export { createLatchkey, openCore, type Latchkey } from './app.js';
export { buildCli, main } from './cli.js';
export { createLogger, REDACT_PATHS } from './logger.js';
export { lowerHelperThreads, type HelperThreadsLowered } from './thread-priority.js';
