import { money } from '../../../../lib/scalars';
import type { Context } from '../context';
import type { BusinessRow } from '../db/tables';
import type { ExportRebateResolvers, TaxPaymentResolvers, TaxReturnResolvers } from '../generated/resolvers';

const RETURN_LABEL = {
  FILED: 'filed',
  ASSESSED: 'assessed',
  AMENDED: 'amended',
  OVERDUE: 'overdue',
} as const;

const METHOD_LABEL = {
  BANK_TRANSFER: 'bank transfer',
  ALIPAY: 'Alipay',
  WECHAT_PAY: 'WeChat Pay',
  TAX_OFFICE_COUNTER: 'at the tax office',
} as const;

const REBATE_LABEL = {
  SUBMITTED: 'submitted',
  APPROVED: 'approved',
  PAID: 'paid',
  REJECTED: 'rejected',
} as const;

/** A business a record's foreign key points at; the store's constraints say it exists. */
async function referencedBusiness({ loaders }: Context, businessId: string, recordId: string): Promise<BusinessRow> {
  const business = await loaders.business.load(businessId);
  if (!business) throw new Error(`${recordId} refers to missing business ${businessId}`);
  return business;
}

export const TaxReturn: TaxReturnResolvers = {
  department: () => 'TAX',
  title: (row) => `Income tax return ${row.taxYear} ${RETURN_LABEL[row.status]}: ${row.taxDue} ${row.currency} due`,
  employer: (row, _args, context) => referencedBusiness(context, row.employerId, row.id),
  grossIncome: (row) => money(row.grossIncome, row.currency),
  taxableIncome: (row) => money(row.taxableIncome, row.currency),
  taxDue: (row) => money(row.taxDue, row.currency),
};

export const TaxPayment: TaxPaymentResolvers = {
  department: () => 'TAX',
  title: (row) => `Tax payment: ${row.amount} ${row.currency} by ${METHOD_LABEL[row.method]}`,
  amount: (row) => money(row.amount, row.currency),
  taxReturn: async (row, _args, { loaders }) => {
    const taxReturn = await loaders.taxReturn.load(row.taxReturnId);
    if (!taxReturn) throw new Error(`${row.id} refers to missing tax return ${row.taxReturnId}`);
    return taxReturn;
  },
};

export const ExportRebate: ExportRebateResolvers = {
  department: () => 'TAX',
  title: (row) => `Export rebate ${REBATE_LABEL[row.status]}: ${row.amount} ${row.currency} on ${row.goods}`,
  business: (row, _args, context) => referencedBusiness(context, row.businessId, row.id),
  citizen: (row) => ({ id: row.citizenId }),
  amount: (row) => money(row.amount, row.currency),
};
