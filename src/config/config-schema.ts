import { z } from 'zod';

/**
 * Ceiling of the request body limit. The limit itself is sized from the fleet (bodyBaseBytes + bodyBytesPerNode x
 * known nodes, src/server/http/request-limits.ts); this caps it whatever the fleet or the per-node figure.
 */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Tessera's configuration, validated once at startup (src/config/load-config.ts).
 * Precedence: defaults < config file < environment < flags.
 */
export const ConfigSchema = z.strictObject({
  /** TCP port; 0 picks a free one (tests). */
  port: z.int().min(0).max(65535),
  host: z.string().min(1),
  /** Path prefix of the extender verbs, e.g. `/scheduler` -> `POST /scheduler/filter`. */
  urlPrefix: z.string().regex(/^(\/[A-Za-z0-9._~-]+)*\/?$/, 'must be a path such as "/scheduler"'),
  /** `auto` (kube when a kubeconfig or in-cluster service account exists, else sim), `kube`, `sim` or `sim:<fleet file>`. */
  cluster: z.string().regex(/^(auto|kube|sim|sim:.+)$/, 'must be "auto", "kube", "sim" or "sim:<fleet file>"'),
  /** Kubeconfig path for `kube`; null = KUBECONFIG, ~/.kube/config or in-cluster. */
  kubeconfig: z.string().min(1).nullable(),
  /** Ceiling of the fleet-sized body limit; larger bodies always get 413. */
  maxBodyBytes: z.int().min(1024),
  /** Body limit with no node known: room for the pod (etcd caps an object at 1.5 MiB). */
  bodyBaseBytes: z.int().min(1024),
  /** Body limit added per known node: about 30 bytes a name names-only; a full node is about 12.4 KB. */
  bodyBytesPerNode: z.int().min(0),
  /** Ceiling of the names a filter/prioritize request may carry (the cap is 1,024 + 2 x known nodes, at most this). */
  maxNodeNames: z.int().min(1),
  /** Time allowed to receive a request's headers. */
  headersTimeoutSeconds: z.number().positive().max(600),
  /** Time allowed to receive a whole request (headers and body); a slower body gets 408. */
  requestTimeoutSeconds: z.number().positive().max(600),
  /** How long an idle keep-alive connection is kept open. */
  idleTimeoutSeconds: z.number().positive().max(3600),
  /** How long a finished bind stays assumed before it expires unless the cluster confirms it. */
  assumeTtlSeconds: z.number().positive().max(3600),
  /** Pods whose filter evaluation is kept for prioritize and bind. */
  evaluationCacheSize: z.int().min(0).max(1_000_000),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']),
  /**
   * `otlp` exports spans over OTLP/HTTP (endpoint and options from the standard OTEL_EXPORTER_OTLP_* variables);
   * `console` prints them to stdout (debugging); `none` records nothing unless OTEL_TRACES_EXPORTER says otlp.
   */
  tracing: z.enum(['none', 'console', 'otlp']),
  /** Topology preset directory; null = `<repo>/topology/presets`. */
  topologyPresetsDir: z.string().min(1).nullable(),
  /**
   * PEM certificate chain and private key: when both are set Tessera serves HTTPS (the extender's
   * `enableHTTPS: true` + `tlsConfig.caFile`), for deployments where it does not run beside kube-scheduler.
   */
  tlsCertFile: z.string().min(1).nullable(),
  tlsKeyFile: z.string().min(1).nullable(),
  /** PEM CA bundle: when set (with HTTPS), a client certificate signed by it is required (mutual TLS). */
  tlsClientCaFile: z.string().min(1).nullable(),
  /** Client identities allowed to call the verbs (subject CN or a DNS/URI SAN); [] = any client the CA signed. */
  tlsClientAllowedNames: z.array(z.string().min(1)),
  /** Listen address of the ops server (metrics, health, node inventory; read-only). */
  opsHost: z.string().min(1),
  /** Port of the ops server; 0 picks a free one (tests). */
  opsPort: z.int().min(0).max(65535),
  /** gRPC listen address (docs/service.md, "gRPC"). */
  grpcHost: z.string().min(1),
  /** gRPC port; null = no gRPC server, 0 = any free port. */
  grpcPort: z.int().min(0).max(65535).nullable(),
  /** Time allowed for requests in flight on SIGTERM/SIGINT before the process exits. */
  shutdownGraceSeconds: z.number().min(0).max(600),
  /**
   * Who advertises nodes' GPU totals (`tessera.io/gpu-memory`, `-compute`, `-replica`; docs/deploy.md): `publish`
   * = Tessera patches node status itself, `node-agent` = a node agent does and Tessera leaves nodes alone.
   */
  nodeCapacity: z.enum(['publish', 'node-agent']),
  /** How long a preemption victim's devices stay held for the preemptor once the victim is gone. */
  preemptionHoldSeconds: z.number().positive().max(3600),
  /** How long an all-or-nothing job group's binds wait for the group to assemble (below the extender's httpTimeout). */
  groupWaitSeconds: z.number().positive().max(60),
  /** Overrides of the core's SchedulingOptions (score weights, ...); validated by the core at startup. */
  scheduling: z.record(z.string(), z.unknown()),
  /**
   * What a names-only filter answers: `feasible`, every node that fits; `choice`, only the node Tessera would score
   * highest (pods with soft preferences still get every feasible node), so kube-scheduler skips scoring and
   * prioritize (docs/throughput.md).
   */
  filterAnswer: z.enum(['feasible', 'choice']),
  /**
   * Scheduler names (profiles of the kube-scheduler Tessera extends) whose new pending pods Tessera nominates a
   * node for, as `status.nominatedNodeName`, so kube-scheduler checks that one node first (docs/throughput.md);
   * empty = off.
   */
  nominateFor: z.array(z.string().min(1)),
});

/** A validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;

/** Built-in defaults. */
export const DEFAULT_CONFIG: Config = Object.freeze({
  port: 8888,
  host: '127.0.0.1',
  urlPrefix: '/scheduler',
  cluster: 'auto',
  kubeconfig: null,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  bodyBaseBytes: 2 * 1024 * 1024,
  bodyBytesPerNode: 256,
  maxNodeNames: 100_000,
  headersTimeoutSeconds: 5,
  requestTimeoutSeconds: 10,
  idleTimeoutSeconds: 65,
  assumeTtlSeconds: 30,
  evaluationCacheSize: 4096,
  logLevel: 'info',
  tracing: 'none',
  topologyPresetsDir: null,
  tlsCertFile: null,
  tlsKeyFile: null,
  tlsClientCaFile: null,
  tlsClientAllowedNames: [],
  opsHost: '0.0.0.0',
  opsPort: 8889,
  grpcHost: '127.0.0.1',
  grpcPort: null,
  shutdownGraceSeconds: 10,
  nodeCapacity: 'publish',
  preemptionHoldSeconds: 60,
  groupWaitSeconds: 8,
  scheduling: {},
  filterAnswer: 'feasible',
  nominateFor: [],
});

/** Keys whose environment / flag strings are converted to numbers before validation. */
export const NUMERIC_KEYS: ReadonlySet<keyof Config> = new Set<keyof Config>([
  'port', 'grpcPort', 'maxBodyBytes', 'assumeTtlSeconds', 'evaluationCacheSize', 'shutdownGraceSeconds',
  'bodyBaseBytes', 'bodyBytesPerNode', 'maxNodeNames', 'headersTimeoutSeconds', 'requestTimeoutSeconds', 'idleTimeoutSeconds',
  'opsPort',
  'preemptionHoldSeconds', 'groupWaitSeconds',
]);

/** Keys whose environment / flag strings are comma-separated lists. */
export const LIST_KEYS: ReadonlySet<keyof Config> = new Set<keyof Config>(['tlsClientAllowedNames']);

/** Environment variables and the key each sets. */
export const ENV_VARS: Readonly<Record<string, keyof Config>> = Object.freeze({
  TESSERA_PORT: 'port',
  TESSERA_HOST: 'host',
  TESSERA_URL_PREFIX: 'urlPrefix',
  TESSERA_CLUSTER: 'cluster',
  TESSERA_KUBECONFIG: 'kubeconfig',
  TESSERA_MAX_BODY_BYTES: 'maxBodyBytes',
  TESSERA_BODY_BASE_BYTES: 'bodyBaseBytes',
  TESSERA_BODY_BYTES_PER_NODE: 'bodyBytesPerNode',
  TESSERA_MAX_NODE_NAMES: 'maxNodeNames',
  TESSERA_HEADERS_TIMEOUT_SECONDS: 'headersTimeoutSeconds',
  TESSERA_REQUEST_TIMEOUT_SECONDS: 'requestTimeoutSeconds',
  TESSERA_IDLE_TIMEOUT_SECONDS: 'idleTimeoutSeconds',
  TESSERA_ASSUME_TTL_SECONDS: 'assumeTtlSeconds',
  TESSERA_EVALUATION_CACHE_SIZE: 'evaluationCacheSize',
  TESSERA_LOG_LEVEL: 'logLevel',
  TESSERA_TRACING: 'tracing',
  TESSERA_TOPOLOGY_PRESETS: 'topologyPresetsDir',
  TESSERA_TLS_CERT_FILE: 'tlsCertFile',
  TESSERA_TLS_KEY_FILE: 'tlsKeyFile',
  TESSERA_TLS_CLIENT_CA_FILE: 'tlsClientCaFile',
  TESSERA_TLS_CLIENT_ALLOWED_NAMES: 'tlsClientAllowedNames',
  TESSERA_OPS_HOST: 'opsHost',
  TESSERA_OPS_PORT: 'opsPort',
  TESSERA_GRPC_HOST: 'grpcHost',
  TESSERA_GRPC_PORT: 'grpcPort',
  TESSERA_SHUTDOWN_GRACE_SECONDS: 'shutdownGraceSeconds',
  TESSERA_NODE_CAPACITY: 'nodeCapacity',
  TESSERA_PREEMPTION_HOLD_SECONDS: 'preemptionHoldSeconds',
  TESSERA_GROUP_WAIT_SECONDS: 'groupWaitSeconds',
  TESSERA_FILTER_ANSWER: 'filterAnswer',
  TESSERA_NOMINATE_FOR: 'nominateFor',
});

/** Command-line flags (`--port 9000`) and the key each sets. */
export const FLAGS: Readonly<Record<string, keyof Config>> = Object.freeze({
  port: 'port',
  host: 'host',
  'url-prefix': 'urlPrefix',
  cluster: 'cluster',
  kubeconfig: 'kubeconfig',
  'max-body-bytes': 'maxBodyBytes',
  'body-base-bytes': 'bodyBaseBytes',
  'body-bytes-per-node': 'bodyBytesPerNode',
  'max-node-names': 'maxNodeNames',
  'headers-timeout-seconds': 'headersTimeoutSeconds',
  'request-timeout-seconds': 'requestTimeoutSeconds',
  'idle-timeout-seconds': 'idleTimeoutSeconds',
  'assume-ttl-seconds': 'assumeTtlSeconds',
  'evaluation-cache-size': 'evaluationCacheSize',
  'log-level': 'logLevel',
  tracing: 'tracing',
  'topology-presets': 'topologyPresetsDir',
  'tls-cert-file': 'tlsCertFile',
  'tls-key-file': 'tlsKeyFile',
  'tls-client-ca-file': 'tlsClientCaFile',
  'tls-client-allowed-names': 'tlsClientAllowedNames',
  'ops-host': 'opsHost',
  'ops-port': 'opsPort',
  'grpc-host': 'grpcHost',
  'grpc-port': 'grpcPort',
  'shutdown-grace-seconds': 'shutdownGraceSeconds',
  'node-capacity': 'nodeCapacity',
  'preemption-hold-seconds': 'preemptionHoldSeconds',
  'group-wait-seconds': 'groupWaitSeconds',
  'filter-answer': 'filterAnswer',
  'nominate-for': 'nominateFor',
});
