import { deployedTesseraEnv, deploySchedulerConfig, type KubeSchedulerConfig } from './components.js';
import type { PodFlavour } from './throughput-fleet.js';

/** Which extender a setup runs beside kube-scheduler. */
export type ExtenderKind = 'none' | 'tessera' | 'floor';

/** What a configuration is built from: the client settings every setup shares, and the extender's port. */
export interface SetupContext {
  readonly qps: number;
  readonly burst: number;
  /** Port of the extender on 127.0.0.1 (null for `none`). */
  readonly extenderPort: number | null;
}

/** One way of scheduling the bench's pods. */
export interface BenchSetup {
  readonly id: string;
  /** One line: what runs and what it schedules. */
  readonly description: string;
  readonly extender: ExtenderKind;
  readonly pods: PodFlavour;
  config(ctx: SetupContext): KubeSchedulerConfig;
  /** Extra `tessera serve` flags (they win over `tesseraEnv`). */
  readonly tesseraArgs?: readonly string[];
  /** Tessera's environment: deploy/deployment.yaml's TESSERA_* settings for the setups "as deployed" (default none). */
  readonly tesseraEnv?: () => Record<string, string>;
  /**
   * The bench itself sets each pod's status.nominatedNodeName right after creating it (round-robin over the
   * fleet): the floor of a design where the extender nominates and kube-scheduler checks that one node first.
   */
  readonly benchNominates?: boolean;
}

/** deploy/'s configuration with the client settings and the extender pointed at `port`. */
function deployed(ctx: SetupContext): KubeSchedulerConfig {
  const config = deploySchedulerConfig();
  config.clientConnection = { ...(config.clientConnection ?? {}), qps: ctx.qps, burst: ctx.burst };
  for (const e of config.extenders ?? []) {
    e.urlPrefix = e.urlPrefix.replace(/^http:\/\/127\.0\.0\.1:\d+/, `http://127.0.0.1:${String(ctx.extenderPort ?? 0)}`);
  }
  return config;
}

type Profile = { schedulerName?: string; pluginConfig?: { name: string; args?: Record<string, unknown> }[]; plugins?: Record<string, { disabled?: { name: string }[]; enabled?: { name: string; weight?: number }[] }>; percentageOfNodesToScore?: number };

/** The tessera-scheduler profile of `config` (throws when deploy/ has none). */
function tesseraProfile(config: KubeSchedulerConfig): Profile {
  const profile = (config['profiles'] as Profile[] | undefined)?.find((p) => p.schedulerName === 'tessera-scheduler');
  if (profile === undefined) throw new Error('deploy/scheduler-config.yaml has no tessera-scheduler profile');
  return profile;
}

/**
 * In-tree score plugins that give every node the same score for the bench's pods (no tolerations, affinities,
 * spread constraints, images or volumes), so disabling them changes no choice for such pods.
 */
export const IDLE_SCORE_PLUGINS = ['TaintToleration', 'NodeAffinity', 'PodTopologySpread', 'InterPodAffinity', 'ImageLocality', 'VolumeBinding'] as const;

const SETUPS: readonly BenchSetup[] = [
  {
    id: 'alone',
    description: 'kube-scheduler alone: its default configuration (profile tessera-scheduler, no extender), pods as whole nvidia.com/gpu',
    extender: 'none',
    pods: 'whole',
    config: (ctx) => ({
      apiVersion: 'kubescheduler.config.k8s.io/v1',
      kind: 'KubeSchedulerConfiguration',
      leaderElection: deploySchedulerConfig()['leaderElection'],
      clientConnection: { qps: ctx.qps, burst: ctx.burst },
      profiles: [{ schedulerName: 'tessera-scheduler' }],
    }),
  },
  {
    id: 'tessera',
    description: "kube-scheduler with Tessera as deployed: deploy/'s scheduler configuration and Tessera's settings (deployment.yaml's TESSERA_* env), Tessera's pod mix",
    extender: 'tessera',
    pods: 'tessera',
    tesseraEnv: deployedTesseraEnv,
    config: deployed,
  },
  {
    id: 'tessera-plain',
    description: "as tessera, but Tessera with its built-in defaults (filter answers every feasible node, no nominations): the design before issue #13",
    extender: 'tessera',
    pods: 'tessera',
    tesseraArgs: ['--filter-answer', 'feasible', '--nominate-for', ''],
    config: deployed,
  },
  {
    id: 'floor',
    description: "deploy/'s configuration with a do-nothing extender (bench/do-nothing-extender.ts), Tessera's pod mix",
    extender: 'floor',
    pods: 'tessera',
    config: deployed,
  },
  {
    id: 'tessera-choice',
    description: "as tessera, with Tessera's filter answering its choice alone (--filter-answer choice): kube-scheduler skips scoring and prioritize",
    extender: 'tessera',
    pods: 'tessera',
    tesseraArgs: ['--filter-answer', 'choice'],
    config: deployed,
  },
  {
    id: 'tessera-nominate',
    description: "as tessera-choice, with Tessera nominating a node for each new pod (--nominate-for tessera-scheduler): kube-scheduler checks that one node first",
    extender: 'tessera',
    pods: 'tessera',
    tesseraArgs: ['--filter-answer', 'choice', '--nominate-for', 'tessera-scheduler'],
    config: deployed,
  },
  {
    id: 'floor-nominated',
    description: 'as floor, with every pod nominated (status.nominatedNodeName, round-robin) by the bench right after creation',
    extender: 'floor',
    pods: 'tessera',
    benchNominates: true,
    config: deployed,
  },
  {
    id: 'alone-nominated',
    description: 'as alone, with every pod nominated (status.nominatedNodeName, round-robin) by the bench right after creation: what one more pod write costs this machine, with no extender',
    extender: 'none',
    pods: 'whole',
    benchNominates: true,
    config: (ctx) => (SETUPS[0] as BenchSetup).config(ctx),
  },
  {
    id: 'tessera-idle-scores-off',
    description: `as tessera, with the score plugins that score every bench pod alike disabled (${IDLE_SCORE_PLUGINS.join(', ')})`,
    extender: 'tessera',
    pods: 'tessera',
    config: (ctx) => {
      const config = deployed(ctx);
      const profile = tesseraProfile(config);
      const score = profile.plugins?.['score'] ?? {};
      profile.plugins = { ...(profile.plugins ?? {}), score: { ...score, disabled: [...(score.disabled ?? []), ...IDLE_SCORE_PLUGINS.map((name) => ({ name }))] } };
      return config;
    },
  },
  ...[10, 25, 50].map((pct): BenchSetup => ({
    id: `tessera-pct${String(pct)}`,
    description: `as tessera, with percentageOfNodesToScore ${String(pct)} (kube-scheduler sends Tessera a rotating sample of the feasible nodes)`,
    extender: 'tessera',
    pods: 'tessera',
    config: (ctx) => ({ ...deployed(ctx), percentageOfNodesToScore: pct }),
  })),
];

/** The setup named `id`; throws with the known names otherwise. */
export function benchSetup(id: string): BenchSetup {
  const s = SETUPS.find((x) => x.id === id);
  if (s === undefined) throw new Error(`unknown setup "${id}": known are ${SETUPS.map((x) => x.id).join(', ')}`);
  return s;
}

/** Every setup the bench knows, in order. */
export function benchSetups(): readonly BenchSetup[] {
  return SETUPS;
}
