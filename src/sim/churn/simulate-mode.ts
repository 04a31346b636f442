/** Splits `--mode <name>` / `--mode=<name>` (default `fgd`) from the other arguments of `tessera simulate`. */
export function simulateMode(args: readonly string[]): { name: string; rest: string[] } {
  const rest: string[] = [];
  let name = 'fgd';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--mode' && i + 1 < args.length) name = args[++i]!;
    else if (a.startsWith('--mode=')) name = a.slice('--mode='.length);
    else rest.push(a);
  }
  return { name, rest };
}
