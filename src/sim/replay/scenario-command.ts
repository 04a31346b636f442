/** Runs `--scenario <yaml>` (filled in by scenario support). */
export async function runScenarioCommand(file: string, _out: string): Promise<number> {
  process.stderr.write(`cannot run scenario "${file}": scenarios are not implemented yet\n`);
  return 2;
}
