/** Rows as the repository returns them (camelCase); resolvers shape them into graph types. */

/** A citizen as this department sees one: the id, and identity's live consent grants. */
export type { CitizenRef } from '../../../../lib/auth/access';

/** The parent of `Citizen.tax`: whose profile it is. */
export interface ProfileParent {
  citizenId: string;
}

export interface BusinessRow {
  id: string;
  registrationNumber: string;
  name: string;
  sector:
    | 'MANUFACTURING'
    | 'RETAIL'
    | 'SOFTWARE'
    | 'LOGISTICS'
    | 'CONSTRUCTION'
    | 'AGRICULTURE'
    | 'HEALTHCARE'
    | 'EDUCATION'
    | 'FINANCE'
    | 'HOSPITALITY';
  city: string;
  /** `YYYY-MM-DD`. */
  foundedOn: string;
  exporter: boolean;
}

/** A business with the citizen who runs it (one row per owner). */
export interface OwnedBusinessRow extends BusinessRow {
  ownerId: string;
}

export interface TaxReturnRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  taxYear: number;
  employerId: string;
  grossIncome: string;
  taxableIncome: string;
  taxDue: string;
  currency: string;
  status: 'FILED' | 'ASSESSED' | 'AMENDED' | 'OVERDUE';
}

export interface TaxPaymentRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  taxReturnId: string;
  amount: string;
  currency: string;
  method: 'BANK_TRANSFER' | 'ALIPAY' | 'WECHAT_PAY' | 'TAX_OFFICE_COUNTER';
}

export interface ExportRebateRow {
  id: string;
  citizenId: string;
  businessId: string;
  occurredAt: Date;
  goods: string;
  amount: string;
  currency: string;
  status: 'SUBMITTED' | 'APPROVED' | 'PAID' | 'REJECTED';
  /** When it was paid; set exactly when `status` is PAID. */
  paidAt: Date | null;
}
