/**
 * Condenses per-node rejection messages into one line a person can read in `kubectl describe pod`, the way
 * kube-scheduler's FitError does: `0/40 nodes: 32 lack 4 NVLink-connected free GPUs, 8 are spot and the pod is
 * not interruptible`.
 *
 * Messages are grouped by their headline, the text before the first `: ` (house style puts per-node details
 * after a colon, e.g. `need 4 NVLink-connected GPUs: largest free island has 2`), so nodes that fail for the
 * same reason with different details count together. Groups are listed by count, largest first, then by text.
 *
 * @param totalNodes number of nodes considered (the `N` in `0/N nodes`)
 * @param failedNodes node name -> rejection message
 * @param feasible number of nodes that passed (normally 0 when this is reported)
 */
export function summarizeUnschedulable(
  totalNodes: number,
  failedNodes: Readonly<Record<string, string>>,
  feasible = 0,
): string {
  const counts = new Map<string, number>();
  for (const message of Object.values(failedNodes)) {
    const headline = headlineOf(message);
    counts.set(headline, (counts.get(headline) ?? 0) + 1);
  }
  const groups = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const head = `${String(feasible)}/${String(totalNodes)} nodes`;
  if (groups.length === 0) return `${head} are available`;
  return `${head}: ${groups.map(([text, n]) => `${String(n)} ${text}`).join(', ')}`;
}

function headlineOf(message: string): string {
  const trimmed = message.trim();
  const colon = trimmed.indexOf(': ');
  const headline = colon > 0 ? trimmed.slice(0, colon) : trimmed;
  return headline === '' ? 'rejected the pod without a reason' : headline;
}
