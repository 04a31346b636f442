/** UIDs kept before the oldest are forgotten (a forgotten pod seen again would be learned twice). */
const DEFAULT_CAPACITY = 200_000;

/**
 * The pods the workload learner has seen, by UID, so that each pod teaches once whichever path shows it first
 * (the cluster watch or a filter call). Bounded: the oldest UIDs are forgotten first.
 */
export class ObservedPods {
  private readonly uids = new Set<string>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** Records `uid`; false when it was recorded already. */
  add(uid: string): boolean {
    if (this.uids.has(uid)) return false;
    if (this.uids.size >= this.capacity) this.uids.delete(this.uids.values().next().value as string);
    this.uids.add(uid);
    return true;
  }
}
