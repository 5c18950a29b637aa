import type { DepartmentManifest } from '../manifest';

/** The tax department: returns, payments, export rebates; owns `Business`. */
export const tax = {
  name: 'tax',
  port: 4005,
  title: 'Tax',
  section: { field: 'tax', code: 'TAX', records: { connection: 'returns', table: 'tax_returns' } },
  mappers: {
    Citizen: '../db/tables#CitizenRef',
    TaxProfile: '../db/tables#ProfileParent',
    TaxReturn: '../db/tables#TaxReturnRow',
    TaxPayment: '../db/tables#TaxPaymentRow',
    ExportRebate: '../db/tables#ExportRebateRow',
    Business: '../db/tables#BusinessRow',
  },
  server: './src/server#tax',
  seed: './seed#taxSeed',
} as const satisfies DepartmentManifest;
