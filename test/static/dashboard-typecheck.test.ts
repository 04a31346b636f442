import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('the dashboard page\'s modules (src/dashboard/web, plain ES modules with JSDoc types)', () => {
  it('type-check strictly against the DOM and the libraries\' own types (tsconfig.web.json)', async () => {
    let output = '';
    let code = 0;
    try {
      const { stdout, stderr } = await run('node_modules/.bin/tsc', ['-p', 'tsconfig.web.json'], { maxBuffer: 16 * 1024 * 1024 });
      output = stdout + stderr;
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      code = typeof e.code === 'number' ? e.code : 1;
      output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 120_000);
});
