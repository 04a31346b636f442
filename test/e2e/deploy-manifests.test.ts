import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ADVERTISED_RESOURCES, UNADVERTISED_RESOURCES } from '../../src/model/advertised-capacity.js';
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
  profiles: { schedulerName: string; pluginConfig?: { name: string; args: { ignoredResourceGroups?: string[]; ignoredResources?: string[] } }[] }[];
  extenders: Extender[];
};
const extender = schedulerConfig.extenders[0] as Extender;

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: { httpGet: { port: string | number } };
  readinessProbe?: { httpGet: { port: string | number } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
}
type PodSpec = { serviceAccountName: string; securityContext: { runAsUser: number; runAsNonRoot: boolean }; containers: Container[]; volumes: { name: string; secret?: { secretName: string }; configMap?: object }[] };
const podSpec = (): PodSpec => (find('Deployment', 'tessera-scheduler') as Obj & { spec: { template: { spec: PodSpec } } }).spec.template.spec;
const container = (name: string): Container => {
  const c = podSpec().containers.find((x) => x.name === name);
  if (c === undefined) throw new Error(`the Deployment has no container "${name}"`);
  return c;
};
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Binding = Obj & { roleRef: { kind: string; name: string }; subjects: { kind: string; name: string; namespace?: string }[] };
/** Every rule granted to a ServiceAccount of tessera-system through any (Cluster)RoleBinding in deploy/. */
function rulesOf(serviceAccount: string): { role: string; rules: Rule[] }[] {
  const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') as Binding[];
  return bindings
    .filter((b) => b.subjects.some((s) => s.kind === 'ServiceAccount' && s.name === serviceAccount && s.namespace === 'tessera-system'))
    .map((b) => {
      const role = objects.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name) as (Obj & { rules: Rule[] }) | undefined;
      return { role: `${b.roleRef.kind}/${b.roleRef.name}`, rules: role?.rules ?? [] };
    });
}
const IMAGE_TAG = (JSON.parse(readFileSync(join(deployDir, '..', 'package.json'), 'utf8')) as { version: string }).version;

describe('deploy/ manifests', () => {
  it('sends every pod of the profile to Tessera; the in-tree filter counts advertised GPU totals and ignores exactly the rest', () => {
    // No managedResources: kube-scheduler calls the extender for CPU-only pods of the profile too.
    expect(extender.managedResources).toBeUndefined();
    const fit = schedulerConfig.profiles[0]?.pluginConfig?.find((c) => c.name === 'NodeResourcesFit');
    expect(fit?.args.ignoredResourceGroups).toBeUndefined();
    const ignored = fit?.args.ignoredResources ?? [];
    expect([...ignored].sort()).toEqual([...UNADVERTISED_RESOURCES]);
    // Every name the code manages is either advertised by nodes (counted in-tree) or ignored; none is both.
    const managed = TESSERA_RESOURCES.filter((r) => EXTENDED_RESOURCE_RE.test(r));
    expect(managed.length).toBeGreaterThan(5);
    for (const name of managed) {
      const counted = ADVERTISED_RESOURCES.includes(name) || name === 'nvidia.com/gpu';
      expect(counted !== ignored.includes(name), name).toBe(true);
    }
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
    const tessera = container('tessera');
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
    expect(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name).sort()).toEqual(['tessera-extender', 'tessera-scheduler']);
    expect(outside).toEqual(['RoleBinding/tessera-scheduler-authentication-reader']);
  });

  it('runs the image `npm run image` builds, by its name and tag', () => {
    expect(container('tessera').image).toBe(`tessera:${IMAGE_TAG}`);
    const k = parseYaml(readFileSync(join(deployDir, 'kustomization.yaml'), 'utf8')) as { images: { name: string; newName: string; newTag: string }[] };
    expect(k.images).toEqual([{ name: 'tessera', newName: 'tessera', newTag: IMAGE_TAG }]);
  });

  it('keeps the verbs on the pod\'s loopback and probes and metrics on the ops port', () => {
    const tessera = container('tessera');
    const env = Object.fromEntries((tessera.env ?? []).map((e) => [e.name, e.value]));
    expect(env.TESSERA_HOST ?? '127.0.0.1').toBe('127.0.0.1');
    expect(tessera.ports).toEqual([{ name: 'http-ops', containerPort: Number(env.TESSERA_OPS_PORT) }]);
    expect(tessera.livenessProbe?.httpGet.port).toBe('http-ops');
    expect(tessera.readinessProbe?.httpGet.port).toBe('http-ops');
    const service = find('Service', 'tessera-scheduler') as Obj & { spec: { ports: { port: number; targetPort: string }[] } };
    expect(service.spec.ports.map((p) => p.targetPort).sort()).toEqual(['http-ops', 'https-sched']);
    const policy = find('NetworkPolicy', 'tessera-scheduler') as Obj & { spec: { ingress: { ports: { port: number }[] }[] } };
    expect(policy.spec.ingress.flatMap((i) => i.ports.map((p) => p.port)).sort((a, b) => a - b)).toEqual([8889, 10259]);
  });

  it('runs Tessera as the image\'s non-root user on a read-only root filesystem', () => {
    expect(podSpec().securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    expect(container('tessera').securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  it('gives each container its own identity: Tessera\'s token is mounted in Tessera\'s container only', () => {
    const spec = podSpec();
    expect(spec.serviceAccountName).toBe('tessera-scheduler');
    const secret = find('Secret', 'tessera-extender-token') as Obj & { type: string; metadata: { annotations: Record<string, string> } };
    expect(secret.type).toBe('kubernetes.io/service-account-token');
    expect(secret.metadata.annotations['kubernetes.io/service-account.name']).toBe('tessera-extender');
    const volume = spec.volumes.find((v) => v.secret?.secretName === 'tessera-extender-token');
    expect(volume).toBeDefined();
    const tokenPath = '/var/run/secrets/kubernetes.io/serviceaccount';
    // A mount at the token path makes the ServiceAccount admission plugin leave the pod's token out.
    expect(container('tessera').volumeMounts).toContainEqual({ name: volume?.name, mountPath: tokenPath, readOnly: true });
    expect((container('kube-scheduler').volumeMounts ?? []).map((m) => m.name)).not.toContain(volume?.name);
    const extender = find('ServiceAccount', 'tessera-extender') as Obj & { automountServiceAccountToken: boolean };
    expect(extender.automountServiceAccountToken).toBe(false);
  });

  it('grants kube-scheduler\'s identity nothing of Tessera\'s, and Tessera\'s nothing of kube-scheduler\'s', () => {
    const scheduler = rulesOf('tessera-scheduler').map((r) => r.role).sort();
    expect(scheduler).toEqual(['ClusterRole/system:kube-scheduler', 'ClusterRole/system:volume-scheduler', 'Role/extension-apiserver-authentication-reader', 'Role/tessera-scheduler-lease']);
    const extender = rulesOf('tessera-extender');
    expect(extender.map((r) => r.role).sort()).toEqual(['ClusterRole/tessera-extender', 'Role/tessera-extender-lease']);
    // Tessera only reads the lease kube-scheduler holds (follow mode): no create, no update.
    const lease = extender.flatMap((r) => r.rules).filter((r) => r.resources.includes('leases'));
    expect(lease).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['tessera-scheduler'], verbs: ['get'] }]);
    // Nobody in deploy/ may read Secrets, delete anything, or escalate.
    const all = [...rulesOf('tessera-scheduler'), ...extender].flatMap((r) => r.rules);
    expect(all.filter((r) => r.resources.includes('secrets'))).toEqual([]);
    expect(extender.flatMap((r) => r.rules).flatMap((r) => r.verbs).filter((v) => ['delete', 'deletecollection', 'escalate', 'bind', 'impersonate', '*'].includes(v))).toEqual([]);
  });

  it('grants Tessera read access to nodes, ResourceSlices and PDBs, pods only get/list/watch (the binding carries the annotation), and only the subresources nominations, preemption and node totals need', () => {
    const role = find('ClusterRole', 'tessera-extender') as Obj & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    const verbs = (resource: string): string[] => role.rules.filter((r) => r.resources.includes(resource)).flatMap((r) => r.verbs);
    expect(verbs('nodes').sort()).toEqual(['get', 'list', 'watch']);
    expect(verbs('resourceslices').sort()).toEqual(['get', 'list', 'watch']);
    expect(verbs('pods').sort()).toEqual(['get', 'list', 'watch']);
    expect(verbs('pods/binding')).toEqual(['create']);
    expect(verbs('poddisruptionbudgets').sort()).toEqual(['get', 'list', 'watch']);
    expect(verbs('pods/eviction')).toEqual(['create']);
    expect(verbs('pods/status')).toEqual(['patch']);
    expect(verbs('nodes/status')).toEqual(['patch']);
    // Victims go through the Eviction API (PodDisruptionBudgets enforced), never a plain delete.
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
