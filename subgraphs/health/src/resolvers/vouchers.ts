import { GraphQLError } from 'graphql';
import { forbidden } from '../../../../lib/auth/access';
import { DEPARTMENT_SCOPE } from '../../../../lib/auth/evidence-access';
import { callGateway } from '../../../../lib/applications';
import { badInput } from '../../../../lib/errors';
import { DepartmentMarkVoucherRedeemedDocument } from '../../../../schema/operations/generated/graphql';
import { insertEncounterOnce } from '../db/repository';
import type { MutationResolvers } from '../generated/resolvers';

/** The procedure a voucher belongs to: the purpose of the officer who redeems it and of health's call to social security. */
const VOUCHER_PURPOSE = 'MEDICAL_INSURANCE_VOUCHER';

/** A voucher id: `vch_<the id of the social-security application that issued it>`. */
const VOUCHER_ID = /^vch_(app_social-security_[0-9a-z]{26})$/;

/** The encounter a voucher's redemption records: one per voucher, so a retry finds the same one. */
export const encounterOfVoucher = (voucherId: string) => `enc_${voucherId}`;

/** Codes of social security's refusals that health passes on as they are. */
const PASSED_ON = new Set(['CONFLICT', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT']);

export const Mutation: MutationResolvers = {
  /**
   * Social security first, so that a voucher is never used twice; then health's own encounter,
   * idempotently. A crash between the two is mended by calling again: social security answers
   * the same redemption unchanged (same encounter id), and health inserts the encounter it lacks.
   */
  redeemVoucher: async (_root, { voucherId, facilityId }, { db, principal, loaders, accessed }) => {
    if (principal.role !== 'officer' || principal.department !== 'HEALTH' || principal.scope.includes(DEPARTMENT_SCOPE)) {
      throw forbidden('vouchers are redeemed by health officers at a facility', 'HEALTH');
    }
    if (principal.purpose !== VOUCHER_PURPOSE) {
      throw forbidden(`a voucher is redeemed under purpose ${VOUCHER_PURPOSE}, not ${JSON.stringify(principal.purpose ?? null)}`, 'HEALTH');
    }
    const applicationId = VOUCHER_ID.exec(voucherId)?.[1];
    if (!applicationId) throw badInput(`voucherId must be a voucher id, vch_app_social-security_...; received ${JSON.stringify(voucherId.slice(0, 80))}`, 'voucherId');
    const facility = await loaders.facility.load(facilityId);
    if (!facility) throw badInput(`no facility ${JSON.stringify(facilityId.slice(0, 80))}`, 'facilityId');
    const encounterId = encounterOfVoucher(voucherId);

    const answer = await callGateway(
      'health',
      DepartmentMarkVoucherRedeemedDocument,
      { voucherId, facilityId, encounterId },
      { purpose: VOUCHER_PURPOSE, caseId: applicationId },
    );
    const voucher = answer.data?.markVoucherRedeemed;
    if (!voucher) {
      const error = answer.errors?.[0];
      const code = typeof error?.extensions?.code === 'string' && PASSED_ON.has(error.extensions.code) ? error.extensions.code : 'SERVICE_UNAVAILABLE';
      throw new GraphQLError(`social security did not redeem voucher ${voucherId}: ${error?.message ?? 'no answer'}`, {
        extensions: { code, department: 'SOCIAL_SECURITY', ...(error?.extensions?.code ? { cause: error.extensions.code } : {}) },
      });
    }
    const encounter = await insertEncounterOnce(db, {
      id: encounterId,
      citizenId: voucher.citizen.id,
      // Social security's time of redemption: a retry writes the same row.
      occurredAt: new Date(voucher.redeemedAt!),
      facilityId,
      kind: 'GP_VISIT',
      diagnosisCode: 'Z00.0',
      diagnosis: 'Outpatient visit (insurance e-voucher)',
    });
    accessed.add(encounter.citizenId);
    return encounter;
  },
};
