import type { Db } from '../../../../lib/db';
import type { PageQuery } from '../../../../lib/sql';
import type { BusinessRow, ExportRebateRow, OwnedBusinessRow, TaxReturnRow } from './tables';

const BUSINESS = `b.id, b.registration_number AS "registrationNumber", b.name, b.sector, b.city,
  b.founded_on AS "foundedOn", b.exporter`;
const TAX_RETURN = `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", tax_year AS "taxYear",
  employer_id AS "employerId", gross_income::text AS "grossIncome", taxable_income::text AS "taxableIncome",
  tax_due::text AS "taxDue", currency, status`;
const EXPORT_REBATE = `id, citizen_id AS "citizenId", business_id AS "businessId", occurred_at AS "occurredAt", goods,
  amount::text AS amount, currency, status, paid_at AS "paidAt"`;

export const TAX_RETURN_PAGES: PageQuery = { table: 'tax_returns', columns: TAX_RETURN, sortColumn: 'occurred_at', sortType: 'timestamptz' };
export const TAX_PAYMENT_PAGES: PageQuery = {
  table: 'tax_payments',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", tax_return_id AS "taxReturnId",
    amount::text AS amount, currency, method`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};
export const CITIZEN_EXPORT_REBATE_PAGES: PageQuery = {
  table: 'export_rebates',
  columns: EXPORT_REBATE,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};
export const BUSINESS_EXPORT_REBATE_PAGES: PageQuery = { ...CITIZEN_EXPORT_REBATE_PAGES, ownerColumn: 'business_id' };

export function businessesById(db: Db, ids: string[]): Promise<BusinessRow[]> {
  return db.query<BusinessRow>(`SELECT ${BUSINESS} FROM businesses b WHERE b.id = ANY($1::text[])`, [ids]);
}

/** The businesses each citizen runs, in id order, with the owner on every row. */
export function businessesByOwner(db: Db, citizenIds: string[]): Promise<OwnedBusinessRow[]> {
  return db.query<OwnedBusinessRow>(
    `SELECT ${BUSINESS}, o.citizen_id AS "ownerId"
     FROM business_owners o JOIN businesses b ON b.id = o.business_id
     WHERE o.citizen_id = ANY($1::text[]) ORDER BY b.id`,
    [citizenIds],
  );
}

export function taxReturnsById(db: Db, ids: string[]): Promise<TaxReturnRow[]> {
  return db.query<TaxReturnRow>(`SELECT ${TAX_RETURN} FROM tax_returns WHERE id = ANY($1::text[])`, [ids]);
}

/** An approved export rebate (an approved export-tax-rebate application files one), in CNY. */
export async function insertExportRebate(
  db: Db,
  row: { id: string; citizenId: string; businessId: string; occurredAt: Date; goods: string; amount: string },
): Promise<void> {
  await db.query(
    `INSERT INTO export_rebates (id, citizen_id, business_id, occurred_at, goods, amount, currency, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'CNY', 'APPROVED')`,
    [row.id, row.citizenId, row.businessId, row.occurredAt, row.goods, row.amount],
  );
}

/** The rebate `id`, locked for the rest of the transaction (two payers: the second waits, then sees PAID). */
export async function lockExportRebate(tx: Db, id: string): Promise<ExportRebateRow | undefined> {
  const [row] = await tx.query<ExportRebateRow>(`SELECT ${EXPORT_REBATE} FROM export_rebates WHERE id = $1 FOR UPDATE`, [id]);
  return row;
}

/** Marks an APPROVED rebate PAID at `at`; the row as it is now, or undefined if it was not APPROVED. */
export async function markExportRebatePaid(tx: Db, id: string, at: Date): Promise<ExportRebateRow | undefined> {
  const [row] = await tx.query<ExportRebateRow>(
    `UPDATE export_rebates SET status = 'PAID', paid_at = $2 WHERE id = $1 AND status = 'APPROVED' RETURNING ${EXPORT_REBATE}`,
    [id, at],
  );
  return row;
}
