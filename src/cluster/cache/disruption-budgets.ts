/** A label selector as PodDisruptionBudget.spec.selector holds it (policy/v1). */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>> | null;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] | null }[] | null;
}

/** What preemption reads of a PodDisruptionBudget. */
export interface DisruptionBudget {
  readonly namespace: string;
  readonly name: string;
  readonly selector: LabelSelector | null;
  /** status.disruptionsAllowed. */
  readonly disruptionsAllowed: number;
  /** Pod names in status.disruptedPods (already counted by the API server). */
  readonly disruptedPods: readonly string[];
}

/** A pod as budgets see it. */
export interface BudgetedPod {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * True when `selector` selects `labels` (matchLabels and every matchExpression: In, NotIn, Exists,
 * DoesNotExist). As for PodDisruptionBudgets, a null or empty selector selects nothing; an unknown operator
 * selects nothing.
 */
export function selects(selector: LabelSelector | null, labels: Readonly<Record<string, string>>): boolean {
  if (selector === null) return false;
  const ml = Object.entries(selector.matchLabels ?? {});
  const me = selector.matchExpressions ?? [];
  if (ml.length === 0 && me.length === 0) return false;
  for (const [k, v] of ml) if (labels[k] !== v) return false;
  for (const e of me) {
    const has = Object.hasOwn(labels, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In': if (!has || !values.includes(labels[e.key] as string)) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key] as string)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/**
 * The pods of `victims` whose eviction breaks a budget when all of them go, counted in order as kube-scheduler's
 * `filterPodsWithPDBViolation` does: each matching budget's allowance is spent pod by pod (pods the API server
 * already lists as disrupted spend nothing), and a pod is a violation once a budget it matches goes below zero.
 */
export function budgetViolations(victims: readonly BudgetedPod[], budgets: readonly DisruptionBudget[]): Set<string> {
  const allowed = budgets.map((b) => b.disruptionsAllowed);
  const out = new Set<string>();
  for (const pod of victims) {
    budgets.forEach((b, i) => {
      if (b.namespace !== pod.namespace || !selects(b.selector, pod.labels) || b.disruptedPods.includes(pod.name)) return;
      allowed[i] = (allowed[i] as number) - 1;
      if ((allowed[i] as number) < 0) out.add(pod.uid);
    });
  }
  return out;
}

/** Pods that no budget lets go at all now (a matching budget allows no disruption). */
export function guardedPods(pods: readonly BudgetedPod[], budgets: readonly DisruptionBudget[]): Set<string> {
  const out = new Set<string>();
  for (const pod of pods) {
    if (budgets.some((b) => b.disruptionsAllowed <= 0 && b.namespace === pod.namespace && selects(b.selector, pod.labels) && !b.disruptedPods.includes(pod.name))) {
      out.add(pod.uid);
    }
  }
  return out;
}
