import type { Db } from '../../../../lib/db';
import { recordPages } from '../../../../lib/sql';
import { BUSINESSES, EXPORT_REBATES, TAX_PAYMENTS, TAX_RETURNS } from './generated/tables';
import type { BusinessRow, ExportRebateRow, OwnedBusinessRow, TaxReturnRow } from './tables';

/** A citizen's tax returns, newest first (pages of many citizens in one statement: lib/loaders.ts pageLoader). */
export const TAX_RETURN_PAGES = recordPages(TAX_RETURNS);
/** A citizen's tax payments, newest first. */
export const TAX_PAYMENT_PAGES = recordPages(TAX_PAYMENTS);
/** A citizen's export rebates, newest first. */
export const CITIZEN_EXPORT_REBATE_PAGES = recordPages(EXPORT_REBATES);
/** A business's export rebates, newest first (`Business.exportRebates`). */
export const BUSINESS_EXPORT_REBATE_PAGES = recordPages(EXPORT_REBATES, 'business_id');

const BUSINESS = BUSINESSES.select('b');
const EXPORT_REBATE = EXPORT_REBATES.select();

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
  return db.query<TaxReturnRow>(`SELECT ${TAX_RETURNS.select()} FROM tax_returns WHERE id = ANY($1::text[])`, [ids]);
}

/** An approved export rebate (an approved export-tax-rebate application files one), in CNY. */
export async function insertExportRebate(
  db: Db,
  row: Pick<ExportRebateRow, 'id' | 'citizenId' | 'businessId' | 'occurredAt' | 'goods' | 'amount'>,
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
