import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { parseGpuRequest, type PodLike, TESSERA_RESOURCES } from '../../src/model/parse-gpu-request.js';
import { ANNOTATION } from '../../src/model/well-known-names.js';

const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy');

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };

function loadKustomization(dir: string): Obj[] {
  const k = parseYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return k.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => {
      if (d.errors.length > 0) throw new Error(`cannot parse ${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS() as Obj;
    }),
  );
}

/** Kubernetes' extended-resource name rule: `<dns prefix>/<qualified name>`. */
const EXTENDED_RESOURCE_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

interface Extender {
  urlPrefix: string;
  filterVerb: string;
  prioritizeVerb: string;
  bindVerb: string;
  preemptVerb: string;
  weight: number;
  nodeCacheCapable: boolean;
  httpTimeout: string;
  ignorable: boolean;
  managedResources?: { name: string; ignoredByScheduler: boolean }[];
}

const objects = loadKustomization(deployDir);
const find = (kind: string, name: string): Obj => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (o === undefined) throw new Error(`deploy/ has no ${kind} "${name}"`);
  return o;
};
const configMap = find('ConfigMap', 'tessera-scheduler-config') as Obj & { data: Record<string, string> };
const schedulerConfig = parseYaml(configMap.data['scheduler-config.yaml'] ?? '') as {
  apiVersion: string;
  kind: string;
  percentageOfNodesToScore: number;
  leaderElection: { resourceName: string; resourceNamespace: string };
  profiles: { schedulerName: string; pluginConfig?: { name: string; args: { ignoredResourceGroups?: string[] } }[] }[];
  extenders: Extender[];
};
const extender = schedulerConfig.extenders[0] as Extender;

describe('deploy/ manifests', () => {
  it('sends every pod of the profile to Tessera, and keeps the in-tree filter off every resource name the code manages', () => {
    // No managedResources: kube-scheduler calls the extender for CPU-only pods of the profile too.
    expect(extender.managedResources).toBeUndefined();
    const fit = schedulerConfig.profiles[0]?.pluginConfig?.find((c) => c.name === 'NodeResourcesFit');
    const groups = fit?.args.ignoredResourceGroups ?? [];
    const managed = TESSERA_RESOURCES.filter((r) => EXTENDED_RESOURCE_RE.test(r));
    expect(managed.length).toBeGreaterThan(5);
    for (const name of managed) expect(groups, name).toContain(name.split('/')[0]);
    // kube-scheduler refuses a group name with a slash.
    for (const g of groups) expect(g).not.toContain('/');
  });

  it('configures the tessera-scheduler profile with every extender verb and a node cache', () => {
    expect(schedulerConfig.apiVersion).toBe('kubescheduler.config.k8s.io/v1');
    expect(schedulerConfig.kind).toBe('KubeSchedulerConfiguration');
    expect(schedulerConfig.profiles.map((p) => p.schedulerName)).toEqual(['tessera-scheduler']);
    expect(schedulerConfig.percentageOfNodesToScore).toBe(100);
    expect(extender).toMatchObject({
      filterVerb: 'filter',
      prioritizeVerb: 'prioritize',
      bindVerb: 'bind',
      preemptVerb: 'preempt',
      nodeCacheCapable: true,
      ignorable: false,
    });
    expect(extender.weight).toBeGreaterThan(0);
    expect(extender.httpTimeout).toMatch(/^\d+s$/);
  });

  it('points the extender at the port and URL prefix the Tessera sidecar serves on', () => {
    const deployment = find('Deployment', 'tessera-scheduler') as Obj & {
      spec: { template: { spec: { containers: { name: string; args?: string[]; env?: { name: string; value?: string }[] }[] } } };
    };
    const tessera = deployment.spec.template.spec.containers.find((c) => c.name === 'tessera');
    const args = tessera?.args ?? [];
    const flag = (name: string): string | undefined => args[args.indexOf(name) + 1];
    expect(extender.urlPrefix).toBe(`http://127.0.0.1:${flag('--port') ?? ''}${flag('--url-prefix') ?? ''}`);
    const env = Object.fromEntries((tessera?.env ?? []).map((e) => [e.name, e.value]));
    expect(env.TESSERA_LEADER_ELECTION).toBe('follow');
    expect(env.TESSERA_LEASE_NAME).toBe(schedulerConfig.leaderElection.resourceName);
  });

  it('puts every namespaced object in tessera-system except the authentication reader binding', () => {
    const namespaced = objects.filter((o) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind));
    const outside = namespaced.filter((o) => o.metadata.namespace !== 'tessera-system').map((o) => `${o.kind}/${o.metadata.name}`);
    expect(outside).toEqual(['RoleBinding/tessera-scheduler-authentication-reader']);
  });

  it('grants Tessera only read access to nodes and ResourceSlices, and pods only get/list/watch (the binding carries the annotation)', () => {
    const role = find('ClusterRole', 'tessera-extender') as Obj & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    const verbs = (resource: string): string[] => role.rules.filter((r) => r.resources.includes(resource)).flatMap((r) => r.verbs);
    expect(verbs('nodes').sort()).toEqual(['get', 'list', 'watch']);
    expect(verbs('resourceslices').sort()).toEqual(['get', 'list', 'watch']);
    expect(verbs('pods').sort()).toEqual(['get', 'list', 'watch']);
    expect(verbs('pods/binding')).toEqual(['create']);
    expect(verbs('pods/status')).toEqual(['patch']);
    expect(role.rules.flatMap((r) => r.verbs)).not.toContain('delete');
  });
});

describe('deploy/examples', () => {
  const examples = loadKustomization(join(deployDir, 'examples'));
  const podOf = (o: Obj): PodLike =>
    (o.kind === 'Job' ? (o as unknown as { spec: { template: PodLike } }).spec.template : o) as PodLike;

  it.each([
    ['llm-inference-small', { kind: 'share', gpus: 1, memoryMiB: 10240, computeMilli: 250, interruptible: false }],
    ['train-resnet-0', { kind: 'whole', gpus: 4, topology: 'nvlink-required', group: 'train-resnet' }],
    ['embeddings-batch', { kind: 'share', gpus: 1, memoryMiB: 8192, interruptible: true }],
    ['notebook-mig', { kind: 'mig', mig: [{ profile: '3g.40gb', count: 1 }] }],
  ])('example %s parses to the GPU request it describes', (name, want) => {
    const obj = examples.find((o) => o.metadata.name === name);
    expect(obj).toBeDefined();
    const pod = podOf(obj as Obj);
    expect(pod.spec?.schedulerName).toBe('tessera-scheduler');
    const parsed = parseGpuRequest(pod);
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
    expect(parsed.value).toMatchObject(want);
  });

  it('uses only annotations Tessera knows', () => {
    const known = new Set<string>(Object.values(ANNOTATION));
    const used = examples.flatMap((o) => Object.keys((podOf(o) as { metadata?: { annotations?: object } }).metadata?.annotations ?? {}));
    expect(used.filter((a) => !known.has(a))).toEqual([]);
  });
});
