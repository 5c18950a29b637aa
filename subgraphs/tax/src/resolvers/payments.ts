import { GraphQLError } from 'graphql';
import { forbidden } from '../../../../lib/auth/access';
import { DEPARTMENT_SCOPE } from '../../../../lib/auth/evidence-access';
import { completeApplication } from '../../../../lib/applications';
import { APPLICATION_ID } from '../../../../lib/procedures';
import { purposesFor } from '../../../../lib/purposes';
import { lockExportRebate, markExportRebatePaid } from '../db/repository';
import type { MutationResolvers } from '../generated/resolvers';

/** A rebate an EXPORT_TAX_REBATE application filed on approval (subgraphs/tax/src/applications.ts): `reb_<application id>`. */
export const applicationOfRebate = (rebateId: string): string | undefined => {
  const applicationId = rebateId.startsWith('reb_') ? rebateId.slice('reb_'.length) : undefined;
  return applicationId && APPLICATION_ID.test(applicationId) && applicationId.startsWith('app_tax_') ? applicationId : undefined;
};

const refusal = (code: 'NOT_FOUND' | 'CONFLICT', message: string) => new GraphQLError(message, { extensions: { code, department: 'TAX' } });

export const Mutation: MutationResolvers = {
  /**
   * The refund of an approved rebate: the rebate PAID and, for one an application filed, the
   * application APPROVED -> PAID, in one transaction of tax's store (both or neither).
   */
  payExportRebate: async (_root, { id }, { db, principal, accessed }) => {
    // A person at the bureau pays, for a reason they stated; not the department's own machine principal.
    if (principal.role !== 'officer' || principal.department !== 'TAX' || principal.scope.includes(DEPARTMENT_SCOPE)) {
      throw forbidden('only officers of TAX pay export rebates', 'TAX');
    }
    if (!principal.purpose || !purposesFor('TAX').includes(principal.purpose)) {
      throw forbidden(`a rebate is paid under a registered tax purpose (${purposesFor('TAX').join(', ')})`, 'TAX');
    }
    const at = new Date();
    const paid = await db.transaction(async (tx) => {
      const rebate = await lockExportRebate(tx, id);
      if (!rebate) throw refusal('NOT_FOUND', `no export rebate ${JSON.stringify(id.slice(0, 80))}`);
      if (rebate.status !== 'APPROVED') {
        const when = rebate.paidAt ? ` at ${rebate.paidAt.toISOString()}` : '';
        throw refusal('CONFLICT', `export rebate ${rebate.id} is ${rebate.status}${when}; only an APPROVED rebate is paid`);
      }
      const row = (await markExportRebatePaid(tx, rebate.id, at))!;
      const applicationId = applicationOfRebate(rebate.id);
      if (applicationId && !(await completeApplication(tx, applicationId, 'PAID', at, principal.sub))) {
        // The rebate and its application move together: an application not APPROVED rolls both back.
        throw refusal('CONFLICT', `export rebate ${rebate.id} was filed by application ${applicationId}, which is not APPROVED; nothing was paid`);
      }
      return row;
    });
    accessed.add(paid.citizenId);
    return paid;
  },
};
