/** One sample of a Prometheus text exposition: `name{labels} value`. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the Prometheus text format (comments skipped; timestamps ignored). */
export function parsePrometheusText(text: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace !== -1 && (space === -1 || brace < space)) {
      name = line.slice(0, brace);
      const close = line.lastIndexOf('}');
      labels = parseLabels(line.slice(brace + 1, close));
      rest = line.slice(close + 1).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const token = rest.split(' ')[0] ?? '';
    const value = token === '+Inf' || token === 'Inf' ? Infinity : token === '-Inf' ? -Infinity : Number(token);
    out.push({ name, labels, value });
  }
  return out;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return labels;
}

/** A histogram's buckets (upper bound -> cumulative count), sum and count. */
export interface Histogram {
  readonly buckets: ReadonlyMap<number, number>;
  readonly sum: number;
  readonly count: number;
}

const matches = (labels: Readonly<Record<string, string>>, filter: Readonly<Record<string, string>>): boolean =>
  Object.entries(filter).every(([k, v]) => labels[k] === v);

/** The histogram `name` summed over every series whose labels include `filter`. */
export function histogram(samples: readonly PromSample[], name: string, filter: Readonly<Record<string, string>> = {}): Histogram {
  const buckets = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const s of samples) {
    if (!matches(s.labels, filter)) continue;
    if (s.name === `${name}_bucket`) {
      const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
      buckets.set(le, (buckets.get(le) ?? 0) + s.value);
    } else if (s.name === `${name}_sum`) sum += s.value;
    else if (s.name === `${name}_count`) count += s.value;
  }
  return { buckets, sum, count };
}

/** `after - before`, bucket by bucket (what was observed between two scrapes). */
export function histogramDelta(after: Histogram, before: Histogram): Histogram {
  const buckets = new Map<number, number>();
  for (const [le, n] of after.buckets) buckets.set(le, n - (before.buckets.get(le) ?? 0));
  return { buckets, sum: after.sum - before.sum, count: after.count - before.count };
}

/** The q-quantile (0..1) by linear interpolation inside the bucket, as PromQL's histogram_quantile; NaN when empty. */
export function histogramQuantile(h: Histogram, q: number): number {
  if (h.count <= 0) return NaN;
  const bounds = [...h.buckets.keys()].sort((a, b) => a - b);
  const rank = q * (h.buckets.get(Infinity) ?? h.count);
  let prevBound = 0;
  let prevCount = 0;
  for (const le of bounds) {
    const c = h.buckets.get(le) ?? 0;
    if (c >= rank) {
      if (le === Infinity) return prevBound;
      return prevBound + ((le - prevBound) * (rank - prevCount)) / Math.max(1e-12, c - prevCount);
    }
    prevBound = le;
    prevCount = c;
  }
  return prevBound;
}

/** The value of the single series `name` whose labels include `filter` (summed when several match); NaN if none. */
export function gaugeValue(samples: readonly PromSample[], name: string, filter: Readonly<Record<string, string>> = {}): number {
  let found = false;
  let total = 0;
  for (const s of samples) {
    if (s.name !== name || !matches(s.labels, filter)) continue;
    found = true;
    total += s.value;
  }
  return found ? total : NaN;
}
