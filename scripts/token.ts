/**
 * `npm run --silent token -- <role> [--sub ID] [--department D] [--purpose P] [--ttl S]`: prints a
 * development bearer token signed with the development issuer key under DATA_DIR/keys (the
 * gateway trusts it outside production). Refused when NODE_ENV=production.
 *
 * `npm run --silent token -- internal-key <service>`: prints the subgraph's INTERNAL_TOKEN_KEY,
 * derived from the gateway's INTERNAL_TOKEN_SECRET (outside production, from the development
 * secret when that is unset). Production deployments run it where the master secret is kept.
 */
import { parseArgs } from 'node:util';
import { devIssuerKey, internalTokenKeyText, routeKeyText } from '../lib/auth/setup';
import { isRole, parseDepartment, ROLES, DEPARTMENTS } from '../lib/auth/principal';
import { signUserToken } from '../lib/auth/tokens';
import { purposeFor, SELF_SERVICE } from '../lib/purposes';
import { config, SUBGRAPHS, type SubgraphName } from '../lib/config';
import { HANDLING_SERVICES } from '../lib/procedures';

const USAGE = `usage: npm run --silent token -- <${ROLES.join('|')}> [--sub ID] [--department D] [--purpose P] [--ttl SECONDS]
  citizen  --sub is the citizen id (default cit_000001)
  officer  --department is one of ${DEPARTMENTS.map((d) => d.toLowerCase().replace(/_/g, '-')).join(', ')} (required)
  --purpose  a registered purpose code carried in the token, e.g. HEALTH_CARE (lib/purposes.ts); officers
             and auditors only (officers may also send x-purpose per request)
  --ttl      lifetime in seconds (default 3600; at most AUTH_MAX_TOKEN_LIFETIME, 86400 unless set)
usage: npm run --silent token -- internal-key <${SUBGRAPHS.join('|')}>
  prints that subgraph's INTERNAL_TOKEN_KEY, derived from INTERNAL_TOKEN_SECRET
usage: npm run --silent token -- internal-key <${HANDLING_SERVICES.join('|')}>/applications
  prints the applications desk's APPLICATIONS_KEY_<SERVICE>: the key of that department's POST /applications alone`;

/** The claims for a development token, checked as the gateway will check them. */
export function tokenClaims(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      sub: { type: 'string' },
      department: { type: 'string' },
      purpose: { type: 'string' },
      ttl: { type: 'string' },
      scope: { type: 'string' },
    },
  });
  const [role] = positionals;
  if (!isRole(role)) throw new Error(`role must be one of ${ROLES.join(', ')}; received ${JSON.stringify(role ?? '')}\n${USAGE}`);
  const department = values.department === undefined ? undefined : parseDepartment(values.department);
  if (role === 'officer' && !department) {
    throw new Error(`an officer token needs --department (one of ${DEPARTMENTS.join(', ')}); received ${JSON.stringify(values.department ?? '')}`);
  }
  // The gateway holds every purpose to the registry (lib/purposes.ts): better to say so here.
  let purpose: string | undefined;
  if (values.purpose !== undefined) {
    if (role === 'citizen') throw new Error(`--purpose is for officers and auditors; a citizen's reads always carry ${SELF_SERVICE}`);
    const stated = purposeFor({ sub: '', role, department: department ?? undefined, scope: [] }, values.purpose, '--purpose');
    if ('refusal' in stated) throw new Error(stated.refusal.message);
    purpose = stated.purpose;
  }
  const ttl = Number(values.ttl ?? 3600);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 30 * 86_400) throw new Error(`--ttl must be 1 to 2592000 seconds; received ${JSON.stringify(values.ttl)}`);
  const defaultSub = { citizen: 'cit_000001', officer: 'officer-1', auditor: 'auditor-1' }[role];
  return {
    claims: {
      sub: values.sub ?? defaultSub,
      role,
      ...(department ? { department } : {}),
      ...(purpose ? { purpose } : {}),
      ...(values.scope ? { scope: values.scope } : {}),
    },
    ttlSeconds: ttl,
  };
}

async function main(): Promise<void> {
  const cfg = config();
  const [command, service] = process.argv.slice(2);
  if (command === 'internal-key' && service?.endsWith('/applications')) {
    const handler = service.slice(0, -'/applications'.length);
    if (!(HANDLING_SERVICES as readonly string[]).includes(handler)) {
      throw new Error(`internal-key <service>/applications needs a department that handles applications, one of ${HANDLING_SERVICES.join(', ')}; received ${JSON.stringify(handler)}`);
    }
    console.log(routeKeyText(cfg, handler as SubgraphName, 'applications'));
    return;
  }
  if (command === 'internal-key') {
    if (!(SUBGRAPHS as readonly string[]).includes(service)) {
      throw new Error(`internal-key needs a subgraph, one of ${SUBGRAPHS.join(', ')}; received ${JSON.stringify(service ?? '')}`);
    }
    console.log(internalTokenKeyText(cfg, service as SubgraphName));
    return;
  }
  const { claims, ttlSeconds } = tokenClaims(process.argv.slice(2));
  // The gateway would refuse a longer-lived token; better to say so here.
  if (ttlSeconds > cfg.auth.maxTokenLifetime) {
    throw new Error(`--ttl must be at most ${cfg.auth.maxTokenLifetime} seconds (AUTH_MAX_TOKEN_LIFETIME); received ${ttlSeconds}`);
  }
  console.log(await signUserToken(await devIssuerKey(cfg), claims, { ttlSeconds, issuer: cfg.auth.issuer, audience: cfg.auth.audience }));
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`token: ${error.message}`);
    process.exit(2);
  });
}
