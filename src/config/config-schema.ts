import { z } from 'zod';

/** Default request body limit: admits a 5,000-node full `v1.NodeList` (measured in docs/service.md). */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024 * 1024;

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
  /** Largest accepted request body; larger bodies get 413. */
  maxBodyBytes: z.int().min(1024),
  /** How long a finished bind stays assumed before it expires unless the cluster confirms it. */
  assumeTtlSeconds: z.number().positive().max(3600),
  /** Pods whose filter evaluation is kept for prioritize and bind. */
  evaluationCacheSize: z.int().min(0).max(1_000_000),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']),
  /** `console` prints spans to stderr (debugging); `none` records nothing. */
  tracing: z.enum(['none', 'console']),
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
  /** gRPC listen address (docs/service.md, "gRPC"). */
  grpcHost: z.string().min(1),
  /** gRPC port; null = no gRPC server, 0 = any free port. */
  grpcPort: z.int().min(0).max(65535).nullable(),
  /** Time allowed for requests in flight on SIGTERM/SIGINT before the process exits. */
  shutdownGraceSeconds: z.number().min(0).max(600),
  /** Overrides of the core's SchedulingOptions (score weights, ...); validated by the core at startup. */
  scheduling: z.record(z.string(), z.unknown()),
});

/** A validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;

/** Built-in defaults. */
export const DEFAULT_CONFIG: Config = Object.freeze({
  port: 8888,
  host: '0.0.0.0',
  urlPrefix: '/scheduler',
  cluster: 'auto',
  kubeconfig: null,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  assumeTtlSeconds: 30,
  evaluationCacheSize: 4096,
  logLevel: 'info',
  tracing: 'none',
  topologyPresetsDir: null,
  tlsCertFile: null,
  tlsKeyFile: null,
  tlsClientCaFile: null,
  tlsClientAllowedNames: [],
  grpcHost: '127.0.0.1',
  grpcPort: null,
  shutdownGraceSeconds: 10,
  scheduling: {},
});

/** Keys whose environment / flag strings are converted to numbers before validation. */
export const NUMERIC_KEYS: ReadonlySet<keyof Config> = new Set<keyof Config>([
  'port', 'grpcPort', 'maxBodyBytes', 'assumeTtlSeconds', 'evaluationCacheSize', 'shutdownGraceSeconds',
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
  TESSERA_ASSUME_TTL_SECONDS: 'assumeTtlSeconds',
  TESSERA_EVALUATION_CACHE_SIZE: 'evaluationCacheSize',
  TESSERA_LOG_LEVEL: 'logLevel',
  TESSERA_TRACING: 'tracing',
  TESSERA_TOPOLOGY_PRESETS: 'topologyPresetsDir',
  TESSERA_TLS_CERT_FILE: 'tlsCertFile',
  TESSERA_TLS_KEY_FILE: 'tlsKeyFile',
  TESSERA_TLS_CLIENT_CA_FILE: 'tlsClientCaFile',
  TESSERA_TLS_CLIENT_ALLOWED_NAMES: 'tlsClientAllowedNames',
  TESSERA_GRPC_HOST: 'grpcHost',
  TESSERA_GRPC_PORT: 'grpcPort',
  TESSERA_SHUTDOWN_GRACE_SECONDS: 'shutdownGraceSeconds',
});

/** Command-line flags (`--port 9000`) and the key each sets. */
export const FLAGS: Readonly<Record<string, keyof Config>> = Object.freeze({
  port: 'port',
  host: 'host',
  'url-prefix': 'urlPrefix',
  cluster: 'cluster',
  kubeconfig: 'kubeconfig',
  'max-body-bytes': 'maxBodyBytes',
  'assume-ttl-seconds': 'assumeTtlSeconds',
  'evaluation-cache-size': 'evaluationCacheSize',
  'log-level': 'logLevel',
  tracing: 'tracing',
  'topology-presets': 'topologyPresetsDir',
  'tls-cert-file': 'tlsCertFile',
  'tls-key-file': 'tlsKeyFile',
  'tls-client-ca-file': 'tlsClientCaFile',
  'tls-client-allowed-names': 'tlsClientAllowedNames',
  'grpc-host': 'grpcHost',
  'grpc-port': 'grpcPort',
  'shutdown-grace-seconds': 'shutdownGraceSeconds',
});
