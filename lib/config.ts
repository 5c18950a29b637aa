import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseSecret } from './auth/internal-keys';
import { EVIDENCE_ISSUERS, type EvidenceIssuer } from './procedures';

/**
 * Every service of the graph, with its default port. The order is the start order:
 * subgraphs first, the gateway last (it needs them to answer). The departments' own record is
 * subgraphs/registry.ts, which lib/ may not import: `npm run codegen:check` fails when the names,
 * their order or a port here differ from it (tools/departments.ts).
 */
export const SUBGRAPHS = ['identity', 'health', 'education', 'transport', 'tax', 'social-security', 'applications', 'audit'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];
export type ServiceName = SubgraphName | 'gateway';

export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = Object.freeze({
  gateway: 4000,
  identity: 4001,
  health: 4002,
  education: 4003,
  transport: 4004,
  tax: 4005,
  'social-security': 4006,
  audit: 4007,
  applications: 4008,
});

/** `social-security` -> `SOCIAL_SECURITY`: the prefix of a service's environment variables. */
export function envPrefix(service: string): string {
  return service.toUpperCase().replace(/-/g, '_');
}

export const TRAIL_WRITERS = ['auto', 'store', 'http'] as const;
export type TrailWriterSetting = (typeof TRAIL_WRITERS)[number];

/**
 * `raw` when it is one of `values`; else an error naming the variable, what it may be (and
 * `unset`, what leaving it out means) and the first 40 characters received.
 */
function oneOf<T extends string>(name: string, values: readonly T[], raw: string, unset?: string): T {
  if (!(values as readonly string[]).includes(raw)) {
    throw new Error(`${name} must be one of ${values.join(', ')}${unset ? ` (or unset: ${unset})` : ''}; received ${JSON.stringify(raw.slice(0, 40))}`);
  }
  return raw as T;
}

/** `NODE_ENV`; unset means `development`. Anything else is refused (see NODE_ENVS). */
export type NodeEnv = 'development' | 'test' | 'production';

/**
 * The only values NODE_ENV may take. Everything outside production gets the development
 * defaults (development keys, introspection, `/dev/token`), so a misspelt `prod` or `Production`
 * would quietly run a public service as a development one; it is refused instead.
 */
export const NODE_ENVS: readonly NodeEnv[] = ['development', 'test', 'production'];

/**
 * Who may read `GET /metrics`:
 * - `token`: only a request carrying `authorization: Bearer <METRICS_TOKEN>` (401 otherwise). Set
 *   `METRICS_TOKEN` and this holds in every environment.
 * - `open`: whoever reaches the port. Outside production without `METRICS_TOKEN`; the services
 *   listen on loopback there unless `HOST` says otherwise.
 * - `off`: nobody (404). Production without `METRICS_TOKEN`: a forgotten variable closes the
 *   endpoint rather than publishing the process's internals to every client of the graph. Not a
 *   start-up failure, because a deployment that does not scrape the services should not have to
 *   invent a secret it never uses.
 */
export type MetricsAccess = { readonly kind: 'open' } | { readonly kind: 'off' } | { readonly kind: 'token'; readonly token: string };

export interface Config {
  readonly nodeEnv: NodeEnv;
  /**
   * `HOST`: the address every service (subgraphs, gateway, portal) listens on, an IP address.
   * Default `127.0.0.1` (this machine only) outside production, so that the development
   * defaults (development keys, introspection, `/dev/token`, open `/metrics`) are never reachable
   * from a network by accident; `0.0.0.0` (every interface) in production, where a service is
   * meant to be reached (from its container's published port, say) and none of those defaults
   * is on.
   */
  readonly host: string;
  /** `METRICS_TOKEN`: who may read `/metrics` (see MetricsAccess). */
  readonly metricsAccess: MetricsAccess;
  /**
   * How a process on this machine reaches a service of the graph listening on `host`:`port`:
   * `http://localhost:<port><path>` when it listens on 127.0.0.1 or every interface, else
   * `http://<host>:<port><path>` (the one address it listens on).
   */
  localUrl(port: number, path: string): string;
  readonly dataDir: string;
  /** The server-mode URL shared by every service (one database per service), if any. */
  readonly databaseUrl: string | undefined;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly defaultSeedCitizens: number;
  /** `PORTAL_PORT`: where `npm start` serves the citizen portal (portal/; default 4100). */
  readonly portalPort: number;
  /** Port a service listens on: `<SERVICE>_PORT`, else its default. */
  port(service: ServiceName): number;
  /** Where the gateway reaches a subgraph: `<SERVICE>_URL`, else `localUrl` on its port. */
  subgraphUrl(service: SubgraphName): string;
  /** `<SERVICE>_DATABASE_URL` if set, else `undefined` (then `databaseUrl` or the embedded store). */
  serviceDatabaseUrl(service: string): string | undefined;
  readonly auth: AuthConfig;
  /** Per role: `require` (registered operations only) or `allow` (ad-hoc too). */
  readonly persistedPolicy: Readonly<Record<'citizen' | 'officer' | 'auditor', 'require' | 'allow'>>;
  /** Limits every operation must pass at the gateway, before it is planned. */
  readonly limits: QueryLimits;
  /** `SUBGRAPH_TIMEOUT_MS`: how long the gateway waits for one subgraph fetch (default 2000). */
  readonly subgraphTimeoutMs: number;
  /**
   * `TRAIL_WRITER`: how the gateway writes the access trail. `store`: it appends into the audit
   * store itself (a PostgreSQL server: `AUDIT_DATABASE_URL` or `DATABASE_URL`); `http`: it posts to
   * the audit service's `/trail`; `auto` (default): `store` when the audit store is a server, else
   * `http` (the embedded store belongs to the audit service's process).
   */
  readonly trailWriter: TrailWriterSetting;
  /** `SUBGRAPH_BREAKER_THRESHOLD`: consecutive failed fetches that open a subgraph's circuit breaker (default 5). */
  readonly subgraphBreakerThreshold: number;
  /** `SUBGRAPH_BREAKER_HALF_OPEN_MS`: how long an open breaker fails fast before it lets one probe through (default 10 000). */
  readonly subgraphBreakerHalfOpenMs: number;
  /** Requests each caller may make at the gateway (`RATE_LIMIT_*`, `REDIS_URL`, `TRUST_PROXY`). */
  readonly rateLimits: RateLimitConfig;
  /** The audit service's signed checkpoints of the access trail (`AUDIT_*_KEY`, `TRAIL_CHECKPOINT_INTERVAL_MS`). */
  readonly trailCheckpoints: TrailCheckpointConfig;
  /** Each department's evidence key (lib/evidence/keyring.ts); read in production only. */
  readonly departmentKeys: Readonly<Record<EvidenceIssuer, DepartmentKeyConfig>>;
}

/**
 * A department's own Ed25519 key, which signs the evidence it issues and its calls to the
 * gateway. Outside production both are ignored: the development keys under `DATA_DIR/keys` serve.
 */
export interface DepartmentKeyConfig {
  /** `<SERVICE>_SIGNING_KEY` (that service alone): its private key, PKCS#8 PEM. */
  readonly signingKey: string | undefined;
  /** `<SERVICE>_JWKS_URL` (everyone else): its public keys; default `/.well-known/jwks.json` at the origin of `<SERVICE>_URL`. */
  readonly jwksUrl: string | undefined;
}

/**
 * Signed checkpoints of the access trail's head (subgraphs/audit/src/checkpoint.ts). Outside
 * production a missing key is a development pair under `DATA_DIR/keys`; in production the audit
 * service refuses to start without `AUDIT_SIGNING_KEY`.
 */
export interface TrailCheckpointConfig {
  /** `AUDIT_SIGNING_KEY` (the audit service): its Ed25519 private key, PKCS#8 PEM. */
  readonly signingKey: string | undefined;
  /** `AUDIT_PUBLIC_KEY` (auditors' `npm run audit -- verify --checkpoints`): that key's public half, SPKI PEM. */
  readonly publicKey: string | undefined;
  /** `TRAIL_CHECKPOINT_INTERVAL_MS`: how often the service signs its head when it has moved; 0 never (on demand only). Default 60 000. */
  readonly intervalMs: number;
}

/**
 * The gateway's rate limits: requests per window per principal (a token's subject) and per
 * client address. In Redis when `REDIS_URL` is set, so that every gateway replica counts
 * together; in the process's memory otherwise.
 */
export interface RateLimitConfig {
  /** `RATE_LIMIT_PER_PRINCIPAL`: requests per window for one principal; 0 turns it off. Default 600. */
  readonly perPrincipal: number;
  /** `RATE_LIMIT_PER_ADDRESS`: requests per window from one client address; 0 turns it off. Default 3000. */
  readonly perAddress: number;
  /** `RATE_LIMIT_WINDOW_SECONDS`: the window, seconds. Default 60. */
  readonly windowSeconds: number;
  /** `REDIS_URL`: shared counters for every replica. */
  readonly redisUrl: string | undefined;
  /** `TRUST_PROXY=true`: behind one proxy of yours, the client address is the last `x-forwarded-for` entry. */
  readonly trustProxy: boolean;
}

export const DEFAULT_RATE_LIMITS = Object.freeze({ perPrincipal: 600, perAddress: 3000, windowSeconds: 60 });

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new Error(`${name} must be true or false; received ${JSON.stringify(env[name])}`);
}

/** Query limits (`LIMIT_*`); the registered operations stay well inside the defaults. */
export interface QueryLimits {
  /** `LIMIT_DEPTH`: deepest selection (field nesting). */
  readonly depth: number;
  /** `LIMIT_ALIASES`: aliases in one operation. */
  readonly aliases: number;
  /** `LIMIT_DIRECTIVES`: directives in one operation. */
  readonly directives: number;
  /** `LIMIT_TOKENS`: lexical tokens in the document. */
  readonly tokens: number;
  /** `LIMIT_COST`: graphql-armor's cost estimate (objects, scalars, weighted by depth). */
  readonly cost: number;
}

export const DEFAULT_LIMITS: QueryLimits = Object.freeze({ depth: 10, aliases: 15, directives: 20, tokens: 1000, cost: 200_000 });

/**
 * `PERSISTED_POLICY`: `require`, `allow`, or per role, e.g. `citizen=allow,officer=require`.
 * Roles not named keep their default: auditors always `require`; the others `allow` in
 * development and `require` when NODE_ENV=production.
 */
function persistedPolicy(env: Env): Config['persistedPolicy'] {
  const production = env.NODE_ENV === 'production';
  const policy = { citizen: production ? 'require' : 'allow', officer: production ? 'require' : 'allow', auditor: 'require' } as Record<
    'citizen' | 'officer' | 'auditor',
    'require' | 'allow'
  >;
  const raw = env.PERSISTED_POLICY?.trim();
  if (!raw) return Object.freeze(policy);
  for (const part of raw.split(',')) {
    const [left, right] = part.includes('=') ? part.split('=').map((s) => s.trim()) : ['*', part.trim()];
    if (right !== 'require' && right !== 'allow') {
      throw new Error(`PERSISTED_POLICY: each value must be "require" or "allow"; received ${JSON.stringify(part)}`);
    }
    const roles = left === '*' ? (Object.keys(policy) as Array<keyof typeof policy>) : [left as keyof typeof policy];
    for (const role of roles) {
      if (!(role in policy)) throw new Error(`PERSISTED_POLICY: unknown role ${JSON.stringify(role)}; expected citizen, officer or auditor`);
      policy[role] = right;
    }
  }
  return Object.freeze(policy);
}

/**
 * Keys and checks for tokens. In production every key must be configured; in development the
 * missing ones are generated under `DATA_DIR/keys` on first start.
 */
export interface AuthConfig {
  /** Callers' tokens are verified against this key set (`AUTH_JWKS_URL`)... */
  jwksUrl: string | undefined;
  /** ...or this public key (`AUTH_PUBLIC_KEY`, SPKI PEM). */
  publicKey: string | undefined;
  issuer: string;
  audience: string;
  /**
   * `AUTH_MAX_TOKEN_LIFETIME`: the longest lifetime (`exp` - `iat`, seconds) of a caller's token
   * the gateway accepts; default 86 400 (24 h). Tokens without `exp` or `iat` are refused.
   */
  maxTokenLifetime: number;
  /**
   * `INTERNAL_TOKEN_SECRET` (the gateway only): the master secret, base64 of at least 32 random
   * bytes, from which the key of every subgraph's internal tokens is derived (auth/internal-keys.ts).
   */
  internalTokenSecret: Uint8Array | undefined;
  /**
   * `INTERNAL_TOKEN_KEY` (each subgraph): that subgraph's own key, derived from the master secret
   * (`npm run --silent token -- internal-key <service>`); it verifies only that subgraph's tokens.
   * A subgraph is never given the master secret in production.
   */
  internalTokenKey: Uint8Array | undefined;
  /**
   * `INTERNAL_TOKEN_TTL`: the lifetime of a gateway-to-subgraph token, seconds (default 60). The
   * gateway signs with it and subgraphs refuse a longer-lived token, so give both the same value.
   */
  internalTokenTtl: number;
}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}; received ${JSON.stringify(raw)}`);
  }
  return value;
}

function urlVar(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be a URL; received ${JSON.stringify(raw)}`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new Error(`${name} must use ${protocols.join(' or ')}; received ${JSON.stringify(url.protocol)}`);
  }
  return raw;
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

function nodeEnvVar(env: Env): NodeEnv {
  const raw = env.NODE_ENV;
  if (raw === undefined || raw === '') return 'development';
  return oneOf('NODE_ENV', NODE_ENVS, raw, 'development');
}

/** `HOST`, or the environment's default (see Config.host). */
function hostVar(env: Env, nodeEnv: NodeEnv): string {
  const raw = env.HOST?.trim();
  if (raw === undefined || raw === '') return nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1';
  // An address, not a name: a name binds whichever address it resolves to first, and some
  // shells and CI systems export HOST as the machine's name.
  if (isIP(raw) === 0) {
    throw new Error(
      `HOST must be an IP address to listen on, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface); received ${JSON.stringify(env.HOST)}`,
    );
  }
  return raw;
}

/** RFC 6750's token characters: what fits in `authorization: Bearer <token>` as it is. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MIN_METRICS_TOKEN = 16;

function metricsAccessVar(env: Env, nodeEnv: NodeEnv): MetricsAccess {
  const raw = env.METRICS_TOKEN;
  if (raw === undefined || raw === '') return nodeEnv === 'production' ? { kind: 'off' } : { kind: 'open' };
  if (raw.length < MIN_METRICS_TOKEN || !BEARER_TOKEN.test(raw)) {
    // The value is a secret: say what is wrong with it, never echo it.
    throw new Error(
      `METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN} characters of A-Z a-z 0-9 - . _ ~ + / (e.g. \`openssl rand -hex 32\`); ` +
        `received ${raw.length} characters${BEARER_TOKEN.test(raw) ? '' : ', some of them others'}`,
    );
  }
  return { kind: 'token', token: raw };
}

/** `127.0.0.1` and the wildcards are reached as `localhost`; any other address as itself. */
function localHostOf(host: string): string {
  if (host === '127.0.0.1' || host === '0.0.0.0' || host === '::') return 'localhost';
  return isIP(host) === 6 ? `[${host}]` : host;
}

const PG_PROTOCOLS = ['postgres:', 'postgresql:'];

/**
 * Reads the environment once, fails fast on a bad value with a message that names the
 * variable, and returns a frozen configuration. Services call `config()`; tests may call
 * `loadConfig` with an environment of their own.
 */
export function loadConfig(env: Env = process.env): Config {
  const logLevel: Config['logLevel'] = oneOf('LOG_LEVEL', LOG_LEVELS, env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'warn' : 'info'));
  const nodeEnv = nodeEnvVar(env);
  const host = hostVar(env, nodeEnv);
  const localUrl = (port: number, path: string) => `http://${localHostOf(host)}:${port}${path}`;
  const ports = {} as Record<ServiceName, number>;
  for (const service of Object.keys(DEFAULT_PORTS) as ServiceName[]) {
    ports[service] = intVar(env, `${envPrefix(service)}_PORT`, DEFAULT_PORTS[service], 0, 65535);
  }
  const urls = {} as Record<SubgraphName, string>;
  for (const service of SUBGRAPHS) {
    urls[service] =
      urlVar(env, `${envPrefix(service)}_URL`, ['http:', 'https:']) ?? localUrl(ports[service], '/graphql');
  }
  const serviceDbUrls: Record<string, string | undefined> = {};
  for (const service of SUBGRAPHS) {
    serviceDbUrls[service] = urlVar(env, `${envPrefix(service)}_DATABASE_URL`, PG_PROTOCOLS);
  }
  const pem = (name: string, kind: 'PUBLIC KEY' | 'PRIVATE KEY') => {
    const raw = env[name]?.replace(/\\n/g, '\n');
    if (!raw) return undefined;
    if (!raw.includes(`-----BEGIN ${kind}-----`)) throw new Error(`${name} must be a PEM "${kind}" block; received something else`);
    return raw;
  };
  const secret = (name: string) => (env[name] ? parseSecret(name, env[name]) : undefined);
  const auth: AuthConfig = Object.freeze({
    jwksUrl: urlVar(env, 'AUTH_JWKS_URL', ['http:', 'https:']),
    publicKey: pem('AUTH_PUBLIC_KEY', 'PUBLIC KEY'),
    issuer: env.AUTH_ISSUER || 'citizen-graph-dev',
    audience: env.AUTH_AUDIENCE || 'citizen-graph',
    maxTokenLifetime: intVar(env, 'AUTH_MAX_TOKEN_LIFETIME', 86_400, 60, 2_592_000),
    internalTokenSecret: secret('INTERNAL_TOKEN_SECRET'),
    internalTokenKey: secret('INTERNAL_TOKEN_KEY'),
    // Up to a day: the benchmark gives its peer gateways fixed tokens for a whole run.
    internalTokenTtl: intVar(env, 'INTERNAL_TOKEN_TTL', 60, 5, 86_400),
  });
  return Object.freeze({
    auth,
    persistedPolicy: persistedPolicy(env),
    nodeEnv,
    host,
    metricsAccess: Object.freeze(metricsAccessVar(env, nodeEnv)),
    localUrl,
    dataDir: resolve(env.DATA_DIR || 'data'),
    databaseUrl: urlVar(env, 'DATABASE_URL', PG_PROTOCOLS),
    logLevel,
    defaultSeedCitizens: intVar(env, 'SEED_CITIZENS', 1000, 1, 100_000_000),
    portalPort: intVar(env, 'PORTAL_PORT', 4100, 0, 65535),
    limits: Object.freeze({
      depth: intVar(env, 'LIMIT_DEPTH', DEFAULT_LIMITS.depth, 1, 1000),
      aliases: intVar(env, 'LIMIT_ALIASES', DEFAULT_LIMITS.aliases, 0, 100_000),
      directives: intVar(env, 'LIMIT_DIRECTIVES', DEFAULT_LIMITS.directives, 0, 100_000),
      tokens: intVar(env, 'LIMIT_TOKENS', DEFAULT_LIMITS.tokens, 1, 10_000_000),
      cost: intVar(env, 'LIMIT_COST', DEFAULT_LIMITS.cost, 1, 1_000_000_000),
    }),
    subgraphTimeoutMs: intVar(env, 'SUBGRAPH_TIMEOUT_MS', 2000, 1, 600_000),
    trailWriter: oneOf('TRAIL_WRITER', TRAIL_WRITERS, env.TRAIL_WRITER?.trim() || 'auto'),
    subgraphBreakerThreshold: intVar(env, 'SUBGRAPH_BREAKER_THRESHOLD', 5, 1, 1000),
    subgraphBreakerHalfOpenMs: intVar(env, 'SUBGRAPH_BREAKER_HALF_OPEN_MS', 10_000, 1, 3_600_000),
    rateLimits: Object.freeze({
      perPrincipal: intVar(env, 'RATE_LIMIT_PER_PRINCIPAL', DEFAULT_RATE_LIMITS.perPrincipal, 0, 100_000_000),
      perAddress: intVar(env, 'RATE_LIMIT_PER_ADDRESS', DEFAULT_RATE_LIMITS.perAddress, 0, 100_000_000),
      windowSeconds: intVar(env, 'RATE_LIMIT_WINDOW_SECONDS', DEFAULT_RATE_LIMITS.windowSeconds, 1, 86_400),
      redisUrl: urlVar(env, 'REDIS_URL', ['redis:', 'rediss:']),
      trustProxy: boolVar(env, 'TRUST_PROXY', false),
    }),
    trailCheckpoints: Object.freeze({
      signingKey: pem('AUDIT_SIGNING_KEY', 'PRIVATE KEY'),
      publicKey: pem('AUDIT_PUBLIC_KEY', 'PUBLIC KEY'),
      intervalMs: intVar(env, 'TRAIL_CHECKPOINT_INTERVAL_MS', 60_000, 0, 86_400_000),
    }),
    departmentKeys: Object.freeze(
      Object.fromEntries(
        EVIDENCE_ISSUERS.map((service) => [
          service,
          Object.freeze({
            signingKey: pem(`${envPrefix(service)}_SIGNING_KEY`, 'PRIVATE KEY'),
            jwksUrl: urlVar(env, `${envPrefix(service)}_JWKS_URL`, ['http:', 'https:']),
          }),
        ]),
      ) as Record<EvidenceIssuer, DepartmentKeyConfig>,
    ),
    port: (service: ServiceName) => ports[service],
    subgraphUrl: (service: SubgraphName) => urls[service],
    serviceDatabaseUrl: (service: string) => serviceDbUrls[service],
  });
}

let cached: Config | undefined;

/** The process's configuration, read from the environment on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
