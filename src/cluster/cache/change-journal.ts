/** Default number of changes kept (a reader further behind than that starts afresh). */
const DEFAULT_CAPACITY = 8192;

/**
 * Which nodes changed at which cache version, for readers that keep answers derived per node (the extender's
 * standing filter answers): a reader synced at version V refreshes only `since(V)` instead of every node.
 * Bounded: once a reader is further behind than `capacity` changes, `since` answers null and the reader must
 * treat every node as changed.
 */
export class ChangeJournal {
  private names: string[] = [];
  private versions: number[] = [];
  private start = 0;
  /** Highest version among the dropped entries (-1: nothing dropped yet). */
  private droppedThrough = -1;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** Notes that node `name` changed while the cache was at `version` (visible from version + 1 on). */
  record(version: number, name: string): void {
    this.names.push(name);
    this.versions.push(version);
    if (this.names.length - this.start > this.capacity) {
      this.droppedThrough = this.versions[this.start] as number;
      this.start += 1;
      // Compact now and then, so the arrays stay within twice the capacity.
      if (this.start >= this.capacity) {
        this.names = this.names.slice(this.start);
        this.versions = this.versions.slice(this.start);
        this.start = 0;
      }
    }
  }

  /**
   * Names of the nodes that changed since a reader saw version `version` (recorded at `version` or later; a
   * name may repeat), or null when some of those changes were already dropped.
   */
  since(version: number): string[] | null {
    if (version <= this.droppedThrough) return null;
    const out: string[] = [];
    for (let i = this.names.length - 1; i >= this.start && (this.versions[i] as number) >= version; i -= 1) out.push(this.names[i] as string);
    return out;
  }
}
