#!/usr/bin/env node
/**
 * Composition root and CLI: `tessera serve [flags]` runs the extender; `tessera simulate ...` replays a trace
 * (src/sim/replay/simulate-command.ts). Configuration is parsed and validated once here; every bad field is
 * reported by path, then the process exits 2.
 */
import { accessSync, constants } from 'node:fs';
import { validateSchedulingOptions } from './algorithm/scheduling-options.js';
import { formatConfigErrors, loadConfig, type ConfigIssue } from './config/load-config.js';
import { selectClusterSource } from './config/select-cluster-source.js';
import { createModelParsers, type ModelParsers } from './server/model-parsers.js';
import { startTesseraServer } from './server/tessera-server.js';
import { createLogger } from './telemetry/logger.js';
import { startTracing, tracingModeFrom } from './telemetry/tracing.js';

const USAGE = `usage: tessera <command> [flags]

commands:
  serve      run the kube-scheduler extender (docs/service.md)
  simulate   replay a GPU trace against Tessera and baselines (docs/replay.md)

serve flags (env in brackets; see docs/service.md):
  --config <file>               YAML/JSON config file          [TESSERA_CONFIG]
  --port <n>                    listen port, default 8888      [TESSERA_PORT]
  --host <addr>                 verb listen address, default 127.0.0.1 [TESSERA_HOST]
  --ops-port <n>                metrics/health port, default 8889 [TESSERA_OPS_PORT]
  --ops-host <addr>             ops listen address, default 0.0.0.0 [TESSERA_OPS_HOST]
  --url-prefix <path>           verb prefix, default /scheduler [TESSERA_URL_PREFIX]
  --cluster <auto|kube|sim|sim:file>  cluster source            [TESSERA_CLUSTER]
  --kubeconfig <file>           kubeconfig for --cluster kube  [TESSERA_KUBECONFIG]
  --max-body-bytes <n>          ceiling of the body limit      [TESSERA_MAX_BODY_BYTES]
  --body-base-bytes <n>         body limit with no nodes       [TESSERA_BODY_BASE_BYTES]
  --body-bytes-per-node <n>     body limit per known node      [TESSERA_BODY_BYTES_PER_NODE]
  --max-node-names <n>          ceiling of names per request   [TESSERA_MAX_NODE_NAMES]
  --headers-timeout-seconds <s> time to receive headers        [TESSERA_HEADERS_TIMEOUT_SECONDS]
  --request-timeout-seconds <s> time to receive a request (408) [TESSERA_REQUEST_TIMEOUT_SECONDS]
  --idle-timeout-seconds <s>    idle keep-alive connections    [TESSERA_IDLE_TIMEOUT_SECONDS]
  --assume-ttl-seconds <s>      assumed-bind expiry            [TESSERA_ASSUME_TTL_SECONDS]
  --evaluation-cache-size <n>   pods kept from filter          [TESSERA_EVALUATION_CACHE_SIZE]
  --log-level <debug|info|warn|error>                          [TESSERA_LOG_LEVEL]
  --tracing <none|console|otlp> span export (otlp: OTEL_* vars) [TESSERA_TRACING]
  --topology-presets <dir>      preset directory               [TESSERA_TOPOLOGY_PRESETS]
  --tls-cert-file <pem>         serve HTTPS with this chain    [TESSERA_TLS_CERT_FILE]
  --tls-key-file <pem>          ... and this private key       [TESSERA_TLS_KEY_FILE]
  --tls-client-ca-file <pem>    require client certs (mTLS)    [TESSERA_TLS_CLIENT_CA_FILE]
  --tls-client-allowed-names <a,b>  client CN/SANs allowed      [TESSERA_TLS_CLIENT_ALLOWED_NAMES]
  --grpc-port <n>               serve gRPC too, off by default [TESSERA_GRPC_PORT]
  --grpc-host <addr>            gRPC address, default 127.0.0.1 [TESSERA_GRPC_HOST]
  --shutdown-grace-seconds <s>  drain time on SIGTERM          [TESSERA_SHUTDOWN_GRACE_SECONDS]
  --node-capacity <publish|node-agent>  who advertises GPU totals [TESSERA_NODE_CAPACITY]
  --preemption-hold-seconds <s> victims' devices kept for the preemptor [TESSERA_PREEMPTION_HOLD_SECONDS]
  --group-wait-seconds <s>      job-group bind wait            [TESSERA_GROUP_WAIT_SECONDS]
  --filter-answer <feasible|choice>  names-only filter answers every feasible node, or Tessera's choice [TESSERA_FILTER_ANSWER]
  --nominate-for <names>        nominate nodes for new pods of these schedulers (comma-separated) [TESSERA_NOMINATE_FOR]
`;

async function serve(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const loaded = loadConfig({ argv, env: process.env });
  if (!loaded.ok) return fail(loaded.errors);
  const { config } = loaded;
  const errors: ConfigIssue[] = [];
  if (loaded.positionals.length > 0) errors.push({ path: 'arguments', message: `serve takes no positional arguments, got ${JSON.stringify(loaded.positionals)}` });
  const options = validateSchedulingOptions(config.scheduling);
  if (!options.ok) for (const e of options.errors) errors.push({ path: e.path === '' ? 'scheduling' : `scheduling.${e.path}`, message: e.message });
  let parsers: ModelParsers | null = null;
  try {
    parsers = createModelParsers(config.topologyPresetsDir ?? undefined);
  } catch (err) {
    errors.push({ path: 'topologyPresetsDir', message: (err as Error).message });
  }
  for (const key of ['tlsCertFile', 'tlsKeyFile', 'tlsClientCaFile'] as const) {
    const file = config[key];
    if (file === null) continue;
    try {
      accessSync(file, constants.R_OK);
    } catch (err) {
      errors.push({ path: key, message: `cannot read ${JSON.stringify(file)}: ${(err as Error).message}` });
    }
  }
  const log = createLogger(config.logLevel);
  const selected = errors.length === 0 ? await selectClusterSource(config, process.env, log) : null;
  if (selected !== null && !selected.ok) errors.push(...selected.errors);
  if (errors.length > 0 || selected === null || !selected.ok || !options.ok || parsers === null) return fail(errors);

  const tracing = startTracing(tracingModeFrom(config.tracing, process.env));
  const server = await startTesseraServer({
    config, source: selected.source, options: options.value, log,
    parseNode: parsers.parseNode, parseAllocation: parsers.parseAllocation,
  });
  log.info('serving', { url: `${server.url}${config.urlPrefix}`, ops: server.opsUrl, cluster: selected.description, ...(server.grpc === null ? {} : { grpc: server.grpc.address }) });
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        log.warn('second signal: exiting now', { signal });
        process.exit(1);
      }
      stopping = true;
      log.info('shutting down', { signal });
      void server.close().then(() => tracing.shutdown()).then(() => resolve(0), (err: unknown) => {
        log.error('shutdown failed', { error: String(err) });
        resolve(1);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

function fail(errors: readonly ConfigIssue[]): number {
  process.stderr.write(`${formatConfigErrors(errors)}\n`);
  return 2;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      return serve(args);
    case 'simulate': {
      // Loaded on demand: serving never pays for the replay's worker threads and CSV machinery.
      const { simulateCommand } = await import('./sim/replay/simulate-command.js');
      return simulateCommand(args);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (err: unknown) => {
  process.stderr.write(`tessera: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
