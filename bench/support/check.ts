/**
 * Whether a response holds what its variant asked for. Used by the load generator (one response in
 * `sampleEvery`) and by the orchestrator's sequential sample (every response). Its own module so
 * that the orchestrator does not load autocannon: that is one of the benchmark's own packages,
 * installed on first use after the orchestrator has started (support/dependencies.ts).
 */
import type { Variant } from './types';

function valueAt(data: unknown, path: string): unknown {
  let value = data;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Why a parsed response is not what the variant expects, or null. */
export function checkResponse(variant: Variant, body: string): string | null {
  let parsed: { data?: unknown; errors?: unknown[] };
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'body is not JSON';
  }
  if (parsed.errors?.length) return `GraphQL errors: ${JSON.stringify(parsed.errors).slice(0, 300)}`;
  if (!parsed.data) return 'no data';
  for (const [path, expected] of Object.entries(variant.expect ?? {})) {
    const actual = valueAt(parsed.data, path);
    if (expected === '*' ? actual === null || actual === undefined : actual !== expected) {
      return `data.${path} is ${JSON.stringify(actual)}; expected ${expected === '*' ? 'a value' : JSON.stringify(expected)}`;
    }
  }
  return null;
}
