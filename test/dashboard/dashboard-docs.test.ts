import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOpsPath, startTestServer, type TestServer } from '../server/harness.js';
import { dashboardFleetNodes } from './dashboard-scenario.js';

/**
 * Runs the curl examples of docs/dashboard.md in document order against one server over the example fleet, with
 * the clock at the times the `# HH:MM` lines give (2026-11-23, UTC), and checks each shown answer: the JSON
 * exactly, text output line by line (after the `| grep -E` the command names). Every bind must succeed.
 */

interface Step { readonly clock: string | null; readonly curl: string }
interface Example { readonly steps: Step[]; readonly expected: { lang: 'json' | 'text'; body: string } | null }

function examples(): Example[] {
  const doc = readFileSync('docs/dashboard.md', 'utf8');
  const out: Example[] = [];
  const re = /```sh\n([\s\S]*?)```\n(?:```(json|text)\n([\s\S]*?)```\n)?/g;
  for (let m = re.exec(doc); m !== null; m = re.exec(doc)) {
    const lines = (m[1] as string).split('\n').filter((l) => l.trim() !== '');
    if (!lines.every((l) => l.startsWith('curl ') || /^# \d\d:\d\d$/.test(l))) continue;
    const steps: Step[] = [];
    let clock: string | null = null;
    for (const l of lines) {
      if (l.startsWith('#')) clock = l.slice(2);
      else {
        steps.push({ clock, curl: l });
        clock = null;
      }
    }
    out.push({ steps, expected: m[2] === undefined ? null : { lang: m[2] as 'json' | 'text', body: (m[3] as string).trim() } });
  }
  return out;
}

/** One documented command: method, path, body, and the `grep -E` filter of its output. */
function parseCurl(line: string): { method: string; path: string; body: string | undefined; grep: RegExp | null } {
  const m = /localhost:(8888|8889)(\/[^\s']*)/.exec(line);
  const path = m?.[2];
  if (path === undefined) throw new Error(`no localhost:8888 or :8889 URL in ${line}`);
  // The verbs are on the verb port (8888), showback and metrics on the ops port (8889).
  if (m?.[1] !== (isOpsPath(path) ? '8889' : '8888')) throw new Error(`${line}: ${path} is served on port ${isOpsPath(path) ? '8889' : '8888'}`);
  const file = /-d @(\S+)/.exec(line)?.[1];
  const grep = /\| grep -E '([^']*)'/.exec(line)?.[1];
  return { method: /-X (\w+)/.exec(line)?.[1] ?? 'GET', path, body: file === undefined ? undefined : readFileSync(file, 'utf8'), grep: grep === undefined ? null : new RegExp(grep) };
}

let clock = Date.parse('2026-11-23T10:00:00Z');
const now = (): number => clock;
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ nodes: dashboardFleetNodes(), now, sim: { now } });
});
afterAll(async () => {
  await t.close();
});

describe('docs/dashboard.md examples', () => {
  const list = examples();

  it('documents showback and the metrics with curl', () => {
    expect(list.filter((e) => e.expected !== null).length).toBeGreaterThanOrEqual(3);
    expect(list.flatMap((e) => e.steps.map((s) => parseCurl(s.curl).path))).toEqual(expect.arrayContaining(['/scheduler/bind', expect.stringMatching(/^\/api\/v1\/showback\?/)]));
  });

  it('answers every documented command as the document shows', async () => {
    for (const example of list) {
      let text = '';
      for (const step of example.steps) {
        if (step.clock !== null) clock = Date.parse(`2026-11-23T${step.clock}:00Z`);
        const { method, path, body, grep } = parseCurl(step.curl);
        const r = await t.send(method, path, body);
        expect(r.status, step.curl).toBe(200);
        if (path.endsWith('/bind')) expect(r.json, step.curl).toEqual({ Error: '' });
        text = grep === null ? r.text : r.text.split('\n').filter((l) => grep.test(l)).join('\n');
      }
      const expected = example.expected;
      if (expected === null) continue;
      const last = example.steps.at(-1)?.curl;
      if (expected.lang === 'json') expect(JSON.parse(text), last).toEqual(JSON.parse(expected.body));
      else expect(text, last).toBe(expected.body);
    }
  });
});
