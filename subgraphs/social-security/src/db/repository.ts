import type { Db } from '../../../../lib/db';
import { recordPages } from '../../../../lib/sql';
import { BENEFITS, CONTRIBUTIONS, INSURANCE_VOUCHERS, PENSIONS } from './generated/tables';
import type { CoveredYearRow, EmployerYearRow, PensionRow, VoucherRow } from './tables';

/** A citizen's contributions, newest first (pages of many citizens in one statement: lib/loaders.ts pageLoader). */
export const CONTRIBUTION_PAGES = recordPages(CONTRIBUTIONS);
/** The same rows paged by employer: served by the index (employer_id, occurred_at DESC, id DESC). */
export const EMPLOYER_CONTRIBUTION_PAGES = recordPages(CONTRIBUTIONS, 'employer_id');
/** A citizen's benefits, newest first. */
export const BENEFIT_PAGES = recordPages(BENEFITS);
/** A citizen's medical-insurance vouchers, newest first. */
export const VOUCHER_PAGES = recordPages(INSURANCE_VOUCHERS);

const VOUCHER = INSURANCE_VOUCHERS.select();

/** The voucher `id`, locked for the rest of the transaction (two redeemers: the second waits, then sees it redeemed). */
export async function lockVoucher(tx: Db, id: string): Promise<VoucherRow | undefined> {
  const [row] = await tx.query<VoucherRow>(`SELECT ${VOUCHER} FROM insurance_vouchers WHERE id = $1 FOR UPDATE`, [id]);
  return row;
}

/** Marks an unredeemed voucher redeemed; the row as it is now, or undefined if it was redeemed already. */
export async function markVoucherRedeemed(
  tx: Db,
  id: string,
  redemption: { at: Date; facilityId: string; encounterId: string },
): Promise<VoucherRow | undefined> {
  const [row] = await tx.query<VoucherRow>(
    `UPDATE insurance_vouchers SET redeemed_at = $2, facility_id = $3, encounter_id = $4
     WHERE id = $1 AND redeemed_at IS NULL RETURNING ${VOUCHER}`,
    [id, redemption.at, redemption.facilityId, redemption.encounterId],
  );
  return row;
}

export function pensionsByCitizen(db: Db, citizenIds: string[]): Promise<PensionRow[]> {
  return db.query<PensionRow>(`SELECT ${PENSIONS.select()} FROM pensions WHERE citizen_id = ANY($1::text[])`, [citizenIds]);
}

/**
 * An employer's contributions in `year`, summed up for evidence: how many citizens it paid for,
 * and whether every one of its rows that year covers all 12 months (`null` with no rows).
 */
export async function employerYear(db: Db, employerId: string, year: number): Promise<EmployerYearRow> {
  const [row] = await db.query<EmployerYearRow>(
    `SELECT count(DISTINCT citizen_id)::int AS employees, bool_and(months = 12) AS "fullYear"
     FROM contributions WHERE employer_id = $1 AND year = $2`,
    [employerId, year],
  );
  return row;
}

/**
 * The months each of `years` a citizen's contributions cover: the months of that year's rows
 * (one per employer) summed, at most 12. A year without contributions has no row.
 */
export function coveredYears(db: Db, citizenId: string, years: number[]): Promise<CoveredYearRow[]> {
  return db.query<CoveredYearRow>(
    `SELECT year, least(sum(months), 12)::int AS months
     FROM contributions WHERE citizen_id = $1 AND year = ANY($2::int[]) GROUP BY year ORDER BY year`,
    [citizenId, years],
  );
}

/** A new medical-insurance e-voucher, in CNY (an approved voucher application issues one). */
export async function insertVoucher(
  db: Db,
  row: Pick<VoucherRow, 'id' | 'citizenId' | 'occurredAt' | 'applicationId' | 'amount' | 'validUntil'>,
): Promise<void> {
  await db.query(
    `INSERT INTO insurance_vouchers (id, citizen_id, occurred_at, application_id, amount, currency, valid_until)
     VALUES ($1, $2, $3, $4, $5, 'CNY', $6)`,
    [row.id, row.citizenId, row.occurredAt, row.applicationId, row.amount, row.validUntil],
  );
}
