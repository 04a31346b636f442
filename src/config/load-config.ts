import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, DEFAULT_CONFIG, ENV_VARS, FLAGS, LIST_KEYS, NUMERIC_KEYS, type Config } from './config-schema.js';
import { valueAt } from '../util/value-at.js';

/** One bad configuration field: where it came from, its path and what is wrong. */
export interface ConfigIssue {
  /** Field path (`port`, `scheduling.weights.cost`) or the source itself (`--config`, `--bogus`). */
  readonly path: string;
  readonly message: string;
}

/** The validated configuration, or every problem found (reported together, then exit 2). */
export type ConfigResult =
  | { readonly ok: true; readonly config: Config; readonly positionals: readonly string[] }
  | { readonly ok: false; readonly errors: readonly ConfigIssue[] };

/** Inputs of `loadConfig`; injected so tests need no process state. */
export interface ConfigInputs {
  /** Arguments after the subcommand, e.g. `['--port', '9000']`. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a config file; defaults to fs. */
  readonly readFile?: (path: string) => string;
}

/**
 * Builds the configuration from defaults, a YAML/JSON file (`--config` or `TESSERA_CONFIG`), the environment and
 * flags, in that order of precedence, and validates it once. Every bad field is reported with its path, the
 * offending value and its origin.
 */
export function loadConfig(inputs: ConfigInputs): ConfigResult {
  const errors: ConfigIssue[] = [];
  const raw: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const origin = new Map<string, string>();

  const flagOptions: Record<string, { type: 'string' | 'boolean' }> = { config: { type: 'string' } };
  for (const flag of Object.keys(FLAGS)) flagOptions[flag] = { type: 'string' };
  let flags: Record<string, string | boolean | undefined> = {};
  let positionals: string[] = [];
  try {
    const parsed = parseArgs({ args: [...inputs.argv], options: flagOptions, strict: true, allowPositionals: true });
    flags = parsed.values as Record<string, string | boolean | undefined>;
    positionals = parsed.positionals;
  } catch (err) {
    errors.push({ path: 'flags', message: (err as Error).message });
  }

  const file = typeof flags.config === 'string' ? flags.config : inputs.env.TESSERA_CONFIG;
  if (file !== undefined && file !== '') {
    const fromFile = readConfigFile(file, inputs.readFile ?? ((p) => readFileSync(p, 'utf8')));
    if (fromFile.ok) {
      for (const [key, value] of Object.entries(fromFile.value)) {
        raw[key] = value;
        origin.set(key, `file ${JSON.stringify(file)}`);
      }
    } else {
      errors.push({ path: '--config', message: fromFile.message });
    }
  }

  for (const [name, key] of Object.entries(ENV_VARS)) {
    const value = inputs.env[name];
    if (value === undefined || value === '') continue;
    raw[key] = coerce(key, value);
    origin.set(key, `env ${name}`);
  }
  for (const [flag, key] of Object.entries(FLAGS)) {
    const value = flags[flag];
    if (typeof value !== 'string') continue;
    raw[key] = coerce(key, value);
    origin.set(key, `--${flag}`);
  }

  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join('.') || '(root)';
      const top = String(issue.path[0] ?? '');
      const value = valueAt(raw, issue.path);
      const from = origin.get(top);
      const shown = value === undefined ? '' : ` (got ${JSON.stringify(value)}${from === undefined ? '' : ` from ${from}`})`;
      errors.push({ path, message: `${issue.message}${shown}` });
    }
  }
  if (result.success && (result.data.tlsCertFile === null) !== (result.data.tlsKeyFile === null)) {
    const missing = result.data.tlsCertFile === null ? 'tlsCertFile' : 'tlsKeyFile';
    errors.push({ path: missing, message: 'HTTPS needs both tlsCertFile and tlsKeyFile: set both or neither' });
  }
  if (result.success && result.data.tlsClientCaFile !== null && result.data.tlsCertFile === null) {
    errors.push({ path: 'tlsClientCaFile', message: 'mutual TLS needs HTTPS: set tlsCertFile and tlsKeyFile too' });
  }
  if (result.success && result.data.tlsClientAllowedNames.length > 0 && result.data.tlsClientCaFile === null) {
    errors.push({ path: 'tlsClientAllowedNames', message: 'allowed client names need mutual TLS: set tlsClientCaFile too' });
  }
  if (errors.length > 0 || !result.success) return { ok: false, errors };
  const config = { ...result.data, urlPrefix: normalizePrefix(result.data.urlPrefix) };
  return { ok: true, config, positionals };
}

/** Formats issues one per line: `invalid configuration: port: expected ... (got "x" from env TESSERA_PORT)`. */
export function formatConfigErrors(errors: readonly ConfigIssue[]): string {
  return errors.map((e) => `invalid configuration: ${e.path}: ${e.message}`).join('\n');
}

function readConfigFile(path: string, read: (p: string) => string):
  { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    return { ok: false, message: `cannot read config file ${JSON.stringify(path)}: ${(err as Error).message}` };
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return { ok: false, message: `cannot parse config file ${JSON.stringify(path)}: ${(err as Error).message}` };
  }
  if (doc === null || doc === undefined) return { ok: true, value: {} };
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, message: `config file ${JSON.stringify(path)} must hold a mapping of fields, got ${Array.isArray(doc) ? 'a list' : typeof doc}` };
  }
  return { ok: true, value: doc as Record<string, unknown> };
}

/** Numeric fields arrive as strings from env and flags; convert only clean numbers so bad text is reported. */
function coerce(key: keyof Config, value: string): unknown {
  if (key === 'kubeconfig' || key === 'topologyPresetsDir' || key === 'tlsCertFile' || key === 'tlsKeyFile' || key === 'tlsClientCaFile') return value;
  if (LIST_KEYS.has(key)) return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (NUMERIC_KEYS.has(key) && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return value;
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  return trimmed;
}
