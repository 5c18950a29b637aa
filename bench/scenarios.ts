/**
 * The benchmark's scenarios: registered operations with the variables (and, for our gateway,
 * the callers) varied request by request. Our gateway gets each operation by id
 * (`documentId`) with a caller's token and runs its access checks and trail; the peers get the
 * registered text itself and send a fixed internal token to the subgraphs (an auditor principal
 * inside an audit operation, which may read what every scenario reads).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyLike } from 'jose';
import { signUserToken } from '../lib/auth/tokens';
import { ROOT } from './support/services';
import type { GatewayName, Variant } from './support/types';

export const SCENARIOS = ['citizen-history', 'citizen-page', 'employer-deep'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** `a`, `b`, `c` or the full name. */
export function scenarioNamed(raw: string): ScenarioName {
  const byLetter: Record<string, ScenarioName> = { a: 'citizen-history', b: 'citizen-page', c: 'employer-deep' };
  const name = byLetter[raw] ?? raw;
  if (!(SCENARIOS as readonly string[]).includes(name)) {
    throw new Error(`--scenario: unknown scenario ${JSON.stringify(raw)}; expected a, b, c, ${SCENARIOS.join(', ')} or all`);
  }
  return name as ScenarioName;
}

interface ScenarioDefinition {
  description: string;
  operation: string;
}

export const SCENARIO_INFO: Record<ScenarioName, ScenarioDefinition> = {
  'citizen-history': {
    description: "(a) one citizen's full history by id, every department; a different citizen each request (ours: that citizen's own token)",
    operation: 'CitizenFullHistory',
  },
  'citizen-page': {
    description: '(b) a page of 50 citizens with two sections each (health encounters, tax returns): entity batching; a different page each request (auditor)',
    operation: 'AuditCitizenPage',
  },
  'employer-deep': {
    description: "(c) a business, its employees' contributions, each employee's name and tax returns (tax -> social security -> identity -> tax); a different business each request (auditor)",
    operation: 'AuditEmployerContributions',
  },
};

export interface Registered {
  id: string;
  document: string;
}

/** The registered operation by name, from the manifest codegen writes. */
export function registered(name: string): Registered {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'schema', 'operations', 'manifest.json'), 'utf8')) as Record<string, string>;
  for (const [id, document] of Object.entries(manifest)) {
    if (new RegExp(`^(query|mutation) ${name}\\b`).test(document)) return { id, document };
  }
  throw new Error(`${name} is not registered in schema/operations/manifest.json (npm run codegen)`);
}

/** `count` distinct numbers in 1..max, spread at random but the same every run (mulberry32 from `salt`). */
export function spread(count: number, max: number, salt = 0): number[] {
  let state = (0x9e3779b9 ^ salt) >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const n = Math.min(count, max);
  const seen = new Set<number>();
  while (seen.size < n) seen.add(1 + Math.floor(random() * max));
  return [...seen];
}

export const citizenId = (n: number) => `cit_${String(n).padStart(6, '0')}`;
export const businessId = (n: number) => `biz_${String(n).padStart(6, '0')}`;
/** The seed's business count for a population (seed/world.ts). */
export const businessCount = (citizens: number) => Math.max(20, Math.ceil(citizens / 40));
/** The identity service's cursor for "after this citizen" (lib/paging.ts encodeCursor). */
export const citizenCursor = (id: string) => Buffer.from(JSON.stringify([id, id])).toString('base64url');

export interface VariantOptions {
  citizens: number;
  /** Distinct requests to cycle through. */
  pool: number;
  /** Signs callers' tokens for our gateway. */
  issuerKey: KeyLike;
  ttlSeconds: number;
}

/** The requests each gateway gets for a scenario: same operations and variables, each gateway's own form. */
export async function variantsFor(scenario: ScenarioName, gateway: GatewayName, options: VariantOptions): Promise<Variant[]> {
  const op = registered(SCENARIO_INFO[scenario].operation);
  const ours = gateway === 'citizen-graph';
  const body = (variables: Record<string, unknown>) =>
    JSON.stringify(ours ? { documentId: op.id, variables } : { query: op.document, operationName: SCENARIO_INFO[scenario].operation, variables });
  const sign = (claims: Parameters<typeof signUserToken>[1]) =>
    signUserToken(options.issuerKey, claims, { ttlSeconds: options.ttlSeconds });

  if (scenario === 'citizen-history') {
    const ids = spread(options.pool, options.citizens).map(citizenId);
    return Promise.all(
      ids.map(async (id) => ({
        body: body({ id }),
        // Each citizen reads their own history: a pool of citizen tokens, one per id.
        headers: ours ? { authorization: `Bearer ${await sign({ sub: id, role: 'citizen' })}` } : ({} as Record<string, string>),
        expect: { 'citizen.id': id, 'citizen.health': '*', 'citizen.tax': '*', 'citizen.socialSecurity': '*' },
      })),
    );
  }

  const auditor: Record<string, string> = ours
    ? { authorization: `Bearer ${await sign({ sub: 'bench-auditor', role: 'auditor' })}`, 'x-purpose': 'AUDIT', 'x-case-id': 'BENCH-1' }
    : {};
  if (scenario === 'citizen-page') {
    // Pages that start anywhere but the last hundred citizens, so each holds 50.
    const starts = spread(options.pool, Math.max(1, options.citizens - 100), 17).map(citizenId);
    return starts.map((after) => ({
      body: body({ first: 50, after: citizenCursor(after) }),
      headers: auditor,
      expect: { 'citizens.edges.49.node.id': '*', 'citizens.edges.49.node.health': '*', 'citizens.edges.49.node.tax': '*' },
    }));
  }
  const businesses = spread(options.pool, businessCount(options.citizens), 29).map(businessId);
  return businesses.map((id) => ({ body: body({ id, first: 20 }), headers: auditor, expect: { 'business.id': id } }));
}
