import { GraphQLError } from 'graphql';
import { forbidden } from '../../../../lib/auth/access';
import { DEPARTMENT_SCOPE } from '../../../../lib/auth/evidence-access';
import { completeApplication } from '../../../../lib/applications';
import { badInput } from '../../../../lib/errors';
import { money } from '../../../../lib/scalars';
import { lockVoucher, markVoucherRedeemed } from '../db/repository';
import type { InsuranceVoucherResolvers, MutationResolvers } from '../generated/resolvers';

/** The procedure a voucher belongs to, and the purpose health states when it redeems one. */
export const VOUCHER_PURPOSE = 'MEDICAL_INSURANCE_VOUCHER';

/** Ids health sends: a facility's, an encounter's (`enc_<voucher id>` by convention), a voucher's. */
const REFERENCE = /^[A-Za-z0-9_-]{1,100}$/;

const refusal = (code: 'NOT_FOUND' | 'CONFLICT', message: string) => new GraphQLError(message, { extensions: { code, department: 'SOCIAL_SECURITY' } });

/** Today in UTC, `YYYY-MM-DD` (a voucher is valid through the whole of its last day). */
const today = () => new Date().toISOString().slice(0, 10);

export const InsuranceVoucher: InsuranceVoucherResolvers = {
  department: () => 'SOCIAL_SECURITY',
  title: (row) => `Medical-insurance e-voucher, ${row.currency} ${row.amount}${row.redeemedAt ? ` (redeemed ${row.redeemedAt.toISOString().slice(0, 10)})` : ''}`,
  amount: (row) => money(row.amount, row.currency),
  // Health owns facilities: a reference it resolves.
  facility: (row) => (row.facilityId ? { id: row.facilityId } : null),
  citizen: (row) => ({ id: row.citizenId }),
};

export const Mutation: MutationResolvers = {
  /**
   * The redemption health reports (subgraphs/health: `redeemVoucher`), before it writes its own
   * encounter: the voucher redeemed and its application REDEEMED in one transaction, so that a
   * voucher is used once. Health retries with the same encounter id after a failure, and gets
   * the voucher unchanged.
   */
  markVoucherRedeemed: async (_root, { voucherId, facilityId, encounterId }, { db, principal, accessed }) => {
    if (principal.role !== 'officer' || principal.department !== 'HEALTH' || !principal.scope.includes(DEPARTMENT_SCOPE)) {
      throw forbidden('a voucher is marked redeemed only by the health department itself (its own principal), never by a person', 'SOCIAL_SECURITY');
    }
    if (principal.purpose !== VOUCHER_PURPOSE) {
      throw forbidden(`a voucher is redeemed under purpose ${VOUCHER_PURPOSE}, not ${JSON.stringify(principal.purpose ?? null)}`, 'SOCIAL_SECURITY');
    }
    for (const [argument, value] of Object.entries({ voucherId, facilityId, encounterId })) {
      if (!REFERENCE.test(value)) throw badInput(`${argument} must be 1 to 100 letters, digits, _ or -`, argument);
    }
    const at = new Date();
    const voucher = await db.transaction(async (tx) => {
      const row = await lockVoucher(tx, voucherId);
      if (!row) throw refusal('NOT_FOUND', `no insurance voucher ${voucherId}`);
      // The case of the call is the voucher's application: what the trail files it under.
      if (principal.caseId !== row.applicationId) {
        throw forbidden(`voucher ${voucherId} is redeemed with its application ${row.applicationId} as case, not ${JSON.stringify(principal.caseId ?? null)}`, 'SOCIAL_SECURITY');
      }
      if (row.redeemedAt) {
        if (row.encounterId === encounterId && row.facilityId === facilityId) return row; // a retry: the same answer
        throw refusal('CONFLICT', `voucher ${voucherId} was redeemed at ${row.redeemedAt.toISOString()} (facility ${row.facilityId}, encounter ${row.encounterId})`);
      }
      if (row.validUntil < today()) throw refusal('CONFLICT', `voucher ${voucherId} expired: it was valid until ${row.validUntil}`);
      const redeemed = (await markVoucherRedeemed(tx, row.id, { at, facilityId, encounterId }))!;
      if (!(await completeApplication(tx, row.applicationId, 'REDEEMED', at, principal.sub))) {
        // The voucher and its application move together: an application not APPROVED rolls both back.
        throw refusal('CONFLICT', `voucher ${voucherId}'s application ${row.applicationId} is not APPROVED; nothing was redeemed`);
      }
      return redeemed;
    });
    accessed.add(voucher.citizenId);
    return voucher;
  },
};
