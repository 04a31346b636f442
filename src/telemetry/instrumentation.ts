/**
 * Starts tracing before anything else is loaded: `node --import ./dist/src/telemetry/instrumentation.js
 * dist/src/main.js serve`. Reads TESSERA_TRACING (`console` | `otlp` | `none`), else the standard
 * OTEL_TRACES_EXPORTER; `serve --tracing <mode>` does the same without the preload.
 */
import { startTracing, tracingModeFrom } from './tracing.js';

const configured = process.env.TESSERA_TRACING;
const mode = tracingModeFrom(configured === 'console' || configured === 'otlp' ? configured : 'none', process.env);
const handle = startTracing(mode);
process.once('beforeExit', () => void handle.shutdown());
