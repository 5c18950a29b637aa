import type { Db } from '../../../../lib/db';
import type { PageQuery } from '../../../../lib/sql';
import type { CoveredYearRow, EmployerYearRow, PensionRow, VoucherRow } from './tables';

const CONTRIBUTION = `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", employer_id AS "employerId", scheme,
  year, months, employee_amount::text AS "employeeAmount", employer_amount::text AS "employerAmount", currency`;

export const CONTRIBUTION_PAGES: PageQuery = {
  table: 'contributions',
  columns: CONTRIBUTION,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};
// The same rows paged by employer: served by the index (employer_id, occurred_at DESC, id DESC).
export const EMPLOYER_CONTRIBUTION_PAGES: PageQuery = { ...CONTRIBUTION_PAGES, ownerColumn: 'employer_id' };
export const BENEFIT_PAGES: PageQuery = {
  table: 'benefits',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", kind, status,
    monthly_amount::text AS "monthlyAmount", currency, start_date AS "startDate", end_date AS "endDate"`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};
const PENSION = `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", scheme, start_date AS "startDate",
  monthly_amount::text AS "monthlyAmount", currency`;

const VOUCHER = `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", application_id AS "applicationId",
  amount::text AS amount, currency, valid_until AS "validUntil", redeemed_at AS "redeemedAt", facility_id AS "facilityId",
  encounter_id AS "encounterId"`;
export const VOUCHER_PAGES: PageQuery = { table: 'insurance_vouchers', columns: VOUCHER, sortColumn: 'occurred_at', sortType: 'timestamptz' };

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
  return db.query<PensionRow>(`SELECT ${PENSION} FROM pensions WHERE citizen_id = ANY($1::text[])`, [citizenIds]);
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
  row: { id: string; citizenId: string; occurredAt: Date; applicationId: string; amount: string; validUntil: string },
): Promise<void> {
  await db.query(
    `INSERT INTO insurance_vouchers (id, citizen_id, occurred_at, application_id, amount, currency, valid_until)
     VALUES ($1, $2, $3, $4, $5, 'CNY', $6)`,
    [row.id, row.citizenId, row.occurredAt, row.applicationId, row.amount, row.validUntil],
  );
}
