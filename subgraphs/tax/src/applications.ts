import { ApplicationError, type ProcedureHandler } from '../../../lib/applications';
import { businessesByOwner, insertExportRebate } from './db/repository';

/** An amount of money as the graph writes it: digits, at most two decimals, above zero. */
const AMOUNT = /^(?:0|[1-9][0-9]{0,9})(?:\.[0-9]{1,2})?$/;

/**
 * Export tax rebate claim (lib/procedures.ts EXPORT_TAX_REBATE): the legal representative of an
 * exporting business claims the rebate on goods it exported; approval files the rebate on the
 * business's record, which is paid later.
 */
export const exportTaxRebate: ProcedureHandler = {
  procedure: 'EXPORT_TAX_REBATE',

  async details(_db, input) {
    const goods = input.exportGoods;
    if (typeof goods !== 'string' || goods.trim().length < 2 || goods.length > 200) {
      throw new ApplicationError('BAD_USER_INPUT', 'exportGoods: say what was exported, in 2 to 200 characters', 'exportGoods');
    }
    const amount = input.rebateAmount;
    if (typeof amount !== 'string' || !AMOUNT.test(amount) || Number(amount) <= 0) {
      throw new ApplicationError('BAD_USER_INPUT', 'rebateAmount: a decimal amount in CNY above zero, at most two decimals (e.g. "12500.00")', 'rebateAmount');
    }
    return { exportGoods: goods.trim(), rebateAmount: Number(amount).toFixed(2) };
  },

  // Tax keeps the register of legal representatives itself: no other department is asked.
  async checkSubject(db, { applicantId, subjectId }) {
    const owned = await businessesByOwner(db, [applicantId]);
    const business = owned.find((b) => b.id === subjectId);
    if (!business) throw new ApplicationError('FORBIDDEN', `an export tax rebate is claimed for a business you are the registered legal representative of; you are not ${subjectId}'s`);
    if (!business.exporter) throw new ApplicationError('FORBIDDEN', `${business.name} is not registered as an exporter`);
  },

  async approve(tx, application) {
    const id = `reb_${application.id}`;
    await insertExportRebate(tx, {
      id,
      citizenId: application.applicantId,
      businessId: application.subjectId,
      occurredAt: new Date(),
      goods: application.details.exportGoods,
      amount: application.details.rebateAmount,
    });
    return { id, summary: `Export rebate of CNY ${application.details.rebateAmount} on ${application.details.exportGoods}, approved; paid later` };
  },
};
