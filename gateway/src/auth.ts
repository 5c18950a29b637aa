import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';
import type { InternalTarget } from '../../lib/auth/internal-keys';
import type { Principal, Role } from '../../lib/auth/principal';
import type { GatewayKeys } from '../../lib/auth/setup';
import { findRegistered, type Registry } from './operations';
import { AuthError, bearerToken } from '../../lib/auth/tokens';
import { internalTokenCache, userTokenCache } from '../../lib/auth/token-cache';

export interface GatewayContext extends BaseContext {
  principal: Principal;
  /**
   * The gateway's token for one target (a subgraph, or `audit/trail`), which every other target
   * refuses; made once per request and target, on first use.
   */
  internalToken(target: InternalTarget): Promise<string>;
  /** What the subgraphs reported returning: the access trail's record is made from it. */
  trail: { citizens: Set<string>; services: Set<string> };
  /** The registered operation this request runs (its name labels metrics), if it is one. */
  operation?: string;
}

const MAX_HEADER_TEXT = 200;

function headerText(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (text.length > MAX_HEADER_TEXT) {
    throw new GraphQLError(`${name} must be at most ${MAX_HEADER_TEXT} characters; received ${text.length}`, {
      extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
    });
  }
  return text;
}

/**
 * Builds each request's context from its `authorization` header: verifies the caller's JWT and
 * takes the officer's purpose (`x-purpose`, required) and case (`x-case-id`). A missing,
 * expired, badly signed or malformed token is UNAUTHENTICATED (401) with the reason.
 */
export function createAuthenticator(keys: GatewayKeys) {
  // A verified caller token and a signed internal token are reused for a few seconds (token-cache.ts).
  const verifyUserToken = userTokenCache(keys.userKey, { issuer: keys.issuer, audience: keys.audience, maxLifetime: keys.maxTokenLifetime });
  const signInternalToken = internalTokenCache(keys.internalTokenSecret, keys.internalTokenTtl);
  return async (req: IncomingMessage): Promise<GatewayContext> => {
    let principal: Principal;
    try {
      principal = await verifyUserToken(bearerToken(req.headers.authorization));
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      throw new GraphQLError(`Unauthenticated: ${error.message}`, {
        extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } },
      });
    }
    principal.purpose = headerText(req, 'x-purpose') ?? principal.purpose;
    principal.caseId = headerText(req, 'x-case-id') ?? principal.caseId;
    if (principal.role === 'officer' && !principal.purpose) {
      throw new GraphQLError('Officers must state why they read citizen data: send the x-purpose header', {
        extensions: { code: 'PURPOSE_REQUIRED', http: { status: 400 } },
      });
    }
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
};

function refuse(message: string): GraphQLError {
  return new GraphQLError(`Forbidden: ${message}`, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
}

/**
 * Refuses early what a principal can never see: root fields outside their role, and any
 * operation an auditor sends that is not a registered audit operation. A registered audit
 * operation is marked on the principal, which is what lets subgraphs answer an auditor.
 */
export function accessPlugin(registry: Registry): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation: resolved, request }) {
          const operation = resolved as OperationDefinitionNode;
          const { principal } = contextValue;
          if (principal.role === 'auditor') {
            const name = request.query ? findRegistered(registry, request.query)?.name : undefined;
            // The registered text must also be what runs: the name Apollo resolved must match.
            if (!name || !name.startsWith('Audit') || (operation.name && operation.name.value !== name)) {
              throw refuse('auditors may run registered audit operations only (schema/operations/Audit*.graphql)');
            }
            principal.auditOperation = name;
          }
          for (const selection of operation.selectionSet.selections) {
            if (selection.kind !== Kind.FIELD) continue;
            const roles = ROOT_FIELD_ROLES[selection.name.value];
            if (roles && !roles.includes(principal.role)) {
              throw refuse(`${selection.name.value} is for ${roles.join(' and ')}s only`);
            }
          }
        },
      };
    },
  };
}
