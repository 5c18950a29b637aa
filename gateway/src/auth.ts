import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { InternalTarget } from '../../lib/auth/internal-keys';
import type { Principal, Role } from '../../lib/auth/principal';
import type { SubgraphName } from '../../lib/config';
import type { GatewayKeys } from '../../lib/auth/setup';
import type { PersistedDecision } from './persisted';
import { purposeFor } from '../../lib/purposes';
import { AuthError, bearerToken } from '../../lib/auth/tokens';
import { internalTokenCache, userTokenCache, verifiedTokenCache } from '../../lib/auth/token-cache';
import { DEPARTMENT_SCOPE, isDepartmentToken, verifyDepartmentToken } from '../../lib/auth/department-token';

export interface GatewayContext extends BaseContext {
  principal: Principal;
  /**
   * The gateway's token for one target (a subgraph, or `audit/trail`), which every other target
   * refuses; made once per request and target, on first use.
   */
  internalToken(target: InternalTarget): Promise<string>;
  /** What the subgraphs reported returning: the access trail's record is made from it. */
  trail: { citizens: Set<string>; services: Set<SubgraphName> };
  /** The registered operation this request runs (its name labels metrics), if it is one. */
  operation?: string;
  /** What the persisted-operation policy decided for this request (persisted.ts). */
  persisted?: PersistedDecision;
}

function headerText(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

/**
 * A case id is a reference into the reader's own files, not a message: short, and only
 * characters that no reader mistakes for prose (no spaces), so it cannot carry a sentence.
 */
const CASE_ID = /^[A-Za-z0-9._:/-]{1,64}$/;

function caseIdOf(text: string | undefined): string | undefined {
  if (text === undefined || CASE_ID.test(text)) return text;
  throw new GraphQLError(
    `x-case-id must be 1 to 64 letters, digits or . _ : / -; received ${text.length} characters: ${JSON.stringify(text.slice(0, 64))}`,
    { extensions: { code: 'CASE_ID_INVALID', http: { status: 400 } } },
  );
}

/**
 * Builds each request's context from its `authorization` header: verifies the caller's JWT (a
 * department's own token, `iss: citizen-graph-department`, against that department's JWKS; any
 * other against the identity provider's key, with the `department` scope struck out) and
 * takes the purpose (`x-purpose`: a registered code; required of officers, fixed for citizens)
 * and case (`x-case-id`). A missing, expired, badly signed or malformed token is
 * UNAUTHENTICATED (401) with the reason; an unknown purpose PURPOSE_UNKNOWN (400), one the
 * officer's department may not use PURPOSE_NOT_ALLOWED (403), a malformed case CASE_ID_INVALID (400).
 */
export function createAuthenticator(keys: GatewayKeys) {
  // A verified caller token and a signed internal token are reused for a few seconds (token-cache.ts).
  const verifyUserToken = userTokenCache(keys.userKey, { issuer: keys.issuer, audience: keys.audience, maxLifetime: keys.maxTokenLifetime });
  // A department's token (lib/auth/department-token.ts) is remembered the same way.
  const verifyDepartment = verifiedTokenCache((token) => verifyDepartmentToken(token, keys.departments));
  const signInternalToken = internalTokenCache(keys.internalTokenSecret, keys.internalTokenTtl);
  return async (req: IncomingMessage): Promise<GatewayContext> => {
    let principal: Principal;
    try {
      const token = bearerToken(req.headers.authorization);
      // The issuer is read unverified only to pick the keys; either path verifies the whole token.
      if (isDepartmentToken(token)) principal = await verifyDepartment(token);
      else {
        principal = await verifyUserToken(token);
        // Only a verified department token gives the `department` scope.
        principal.scope = principal.scope.filter((scope) => scope !== DEPARTMENT_SCOPE);
      }
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      throw new GraphQLError(`Unauthenticated: ${error.message}`, {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
      });
    }
    // Only registered purpose codes reach the trail (lib/purposes.ts); a citizen's is fixed.
    const stated = purposeFor(principal, headerText(req, 'x-purpose') ?? principal.purpose);
    if ('refusal' in stated) {
      const { code, message, allowed } = stated.refusal;
      const status = code === 'PURPOSE_NOT_ALLOWED' ? 403 : 400;
      throw new GraphQLError(message, { extensions: { code, allowed, http: { status } } });
    }
    principal.purpose = stated.purpose;
    principal.caseId = caseIdOf(headerText(req, 'x-case-id') ?? principal.caseId);
    const tokens = new Map<InternalTarget, Promise<string>>();
    return {
      principal,
      internalToken: (target) => {
        let token = tokens.get(target);
        if (!token) tokens.set(target, (token = signInternalToken(principal, target)));
        return token;
      },
      trail: { citizens: new Set(), services: new Set() },
    };
  };
}

/** Root fields only some roles may ever use: refused at the gateway, before planning. */
const ROOT_FIELD_ROLES: Record<string, readonly Role[]> = {
  citizens: ['officer', 'auditor'],
  grantConsent: ['citizen'],
  revokeConsent: ['citizen'],
  // Applications (subgraphs/applications): a citizen applies, a department's officers decide.
  startApplication: ['citizen'],
  requestEvidence: ['citizen'],
  submitApplication: ['citizen'],
  applications: ['officer'],
  decideApplication: ['officer'],
  // After approval: tax pays a rebate; health redeems a voucher, and tells social security as itself (an officer principal).
  payExportRebate: ['officer'],
  redeemVoucher: ['officer'],
  markVoucherRedeemed: ['officer'],
};

/** The root fields a selection set selects, also through fragments on the root type (`... on Query { citizens }`). */
function rootFields(selectionSet: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, document, seen);
    if (seen.has(selection.name.value)) return [];
    seen.add(selection.name.value);
    const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
    return fragment?.kind === Kind.FRAGMENT_DEFINITION ? rootFields(fragment.selectionSet, document, seen) : [];
  });
}

function refuse(message: string): GraphQLError {
  return new GraphQLError(`Forbidden: ${message}`, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
}

/**
 * Refuses early what a principal can never see: root fields outside their role, and any
 * operation an auditor sends that is not a registered audit operation. A registered audit
 * operation is marked on the principal, which is what lets subgraphs answer an auditor.
 */
export function accessPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          if (!operation) return; // operationChecks (persisted.ts) answers a document with no operation to run
          const { principal } = contextValue;
          if (principal.role === 'auditor') {
            // Auditors are always under `require`: the policy found the registered operation, and put its text in place.
            const name = contextValue.persisted?.registered?.name;
            if (!name || !name.startsWith('Audit') || operation.name?.value !== name) {
              throw refuse('auditors may run registered audit operations only (schema/operations/Audit*.graphql)');
            }
            principal.auditOperation = name;
          }
          for (const field of rootFields(operation.selectionSet, document)) {
            const roles = ROOT_FIELD_ROLES[field];
            if (roles && !roles.includes(principal.role)) {
              throw refuse(`${field} is for ${roles.join(' and ')}s only`);
            }
          }
        },
      };
    },
  };
}
