/**
 * Starts tracing before anything else is loaded: `node --import ./dist/src/telemetry/instrumentation.js
 * dist/src/main.js serve`. Reads TESSERA_TRACING (`console` | `none`); `serve --tracing console` does the same
 * without the preload.
 */
import { startTracing } from './tracing.js';

const mode = process.env.TESSERA_TRACING === 'console' ? 'console' : 'none';
const handle = startTracing(mode);
process.once('beforeExit', () => void handle.shutdown());
