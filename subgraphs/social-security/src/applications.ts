import type { ProcedureHandler } from '../../../lib/applications';
import { insertVoucher } from './db/repository';

/** What one e-voucher covers (CNY), and for how long after it is issued. */
export const VOUCHER_AMOUNT = '500.00';
export const VOUCHER_VALID_DAYS = 90;

/**
 * Medical-insurance e-voucher (lib/procedures.ts MEDICAL_INSURANCE_VOUCHER): an insured citizen
 * applies for themself; approval issues the voucher, which a health facility redeems.
 */
export const medicalInsuranceVoucher: ProcedureHandler = {
  procedure: 'MEDICAL_INSURANCE_VOUCHER',

  async details() {
    return {};
  },

  async approve(tx, application) {
    const now = new Date();
    const id = `vch_${application.id}`;
    const validUntil = new Date(now.getTime() + VOUCHER_VALID_DAYS * 86_400_000).toISOString().slice(0, 10);
    await insertVoucher(tx, { id, citizenId: application.subjectId, occurredAt: now, applicationId: application.id, amount: VOUCHER_AMOUNT, validUntil });
    return { id, summary: `Medical-insurance e-voucher of CNY ${VOUCHER_AMOUNT}, valid until ${validUntil}; redeem it at a health facility` };
  },
};
