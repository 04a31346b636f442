import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs a repo tool and returns its combined output and exit code (never throws on a non-zero exit). */
async function tool(command: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('static checks', () => {
  it('the whole project type-checks under the strict tsconfig', async () => {
    const { code, output } = await tool('node_modules/.bin/tsc', ['-p', 'tsconfig.json', '--noEmit']);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 180_000);

  it('eslint passes, including the rules that keep src/model and src/algorithm free of I/O and module state', async () => {
    const { code, output } = await tool('node_modules/.bin/eslint', ['.']);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 180_000);
});
