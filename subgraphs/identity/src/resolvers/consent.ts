import { randomUUID } from 'node:crypto';
import type { AccessGrant } from '../../../../lib/auth/access';
import { forbidden } from '../../../../lib/auth/access';
import { badInput } from '../../../../lib/errors';
import { purposeByCode, purposesFor } from '../../../../lib/purposes';
import * as repo from '../db/repository';
import type { ConsentRow } from '../db/tables';
import type { ConsentGrantResolvers, MutationResolvers } from '../generated/resolvers';

/** A grant lasts through the end of its last day, UTC. */
const endOf = (date: string) => new Date(`${date}T23:59:59.999Z`);
const today = () => new Date().toISOString().slice(0, 10);
const MAX_YEARS = 5;

export const isLive = (row: ConsentRow, now = new Date()) => !row.revokedAt && endOf(row.expiresOn) > now;

export const toAccessGrant = (row: ConsentRow): AccessGrant => ({
  grantee: row.grantee,
  section: row.section,
  purpose: row.purpose,
  expiresAt: endOf(row.expiresOn).toISOString(),
});

export const ConsentGrant: ConsentGrantResolvers = {
  live: (row) => isLive(row),
};

export const Mutation: MutationResolvers = {
  grantConsent: async (_root, { input }, { db, principal, loaders, accessed }) => {
    if (principal.role !== 'citizen') throw forbidden('only citizens grant consent, for their own records', 'IDENTITY');
    if (input.grantee === input.section) {
      throw badInput(`grantee and section must differ: ${input.grantee} already reads its own section`, 'input.section');
    }
    // A grant is matched against officers' stated purpose, which the gateway holds to the
    // registry: a code the grantee cannot state would be a grant nobody can use.
    const purpose = purposeByCode(input.purpose);
    if (!purpose || !purpose.usedBy.includes(input.grantee)) {
      const allowed = purposesFor(input.grantee).join(', ');
      throw badInput(
        `purpose must be a registered purpose code that ${input.grantee} may use (${allowed}); received ${JSON.stringify(input.purpose.slice(0, 64))}`,
        'input.purpose',
      );
    }
    const latest = `${Number(today().slice(0, 4)) + MAX_YEARS}${today().slice(4)}`;
    if (input.expiresOn < today() || input.expiresOn > latest) {
      throw badInput(`expiresOn must be from today to ${latest}; received ${input.expiresOn}`, 'input.expiresOn');
    }
    if (!(await loaders.citizen.load(principal.sub))) throw forbidden('the signed-in citizen is not in the registry', 'IDENTITY');
    const row = await repo.insertConsent(db, {
      id: `cns_${randomUUID()}`,
      citizenId: principal.sub,
      grantee: input.grantee,
      section: input.section,
      purpose: purpose.code,
      expiresOn: input.expiresOn,
    });
    // The grant is the citizen's data: the response leaves a record naming them.
    accessed.add(principal.sub);
    return row;
  },
  revokeConsent: async (_root, { id }, { db, principal, accessed }) => {
    if (principal.role !== 'citizen') throw forbidden('only citizens revoke consent, for their own records', 'IDENTITY');
    const row = await repo.revokeConsent(db, id, principal.sub);
    if (!row) throw badInput(`no consent grant ${JSON.stringify(id)} of yours exists`, 'id');
    accessed.add(row.citizenId);
    return row;
  },
};
