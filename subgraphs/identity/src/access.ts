import { forbidden } from '../../../lib/auth/access';
import type { Principal } from '../../../lib/auth/principal';
import type { CitizenRow } from './db/tables';
import type { Loaders } from './loaders';

/** The registry's fields with their own access rule (`id` is open to whoever may hold the citizen). */
export type CitizenField = 'name' | 'birthDate' | 'nationalId' | 'sex' | 'address' | 'household' | 'consents';

/** Officers read identity basics of any citizen (they must know whom a record is about). */
const OFFICER_FIELDS: ReadonlySet<CitizenField> = new Set(['name', 'birthDate', 'nationalId']);
/** People registered in one household see each other's entries, as on the household register. */
const HOUSEHOLD_FIELDS: ReadonlySet<CitizenField> = new Set(['name', 'birthDate', 'sex']);

async function sameHousehold(principal: Principal, row: CitizenRow, loaders: Loaders): Promise<boolean> {
  if (!row.householdId) return false;
  const self = await loaders.citizen.load(principal.sub);
  return self?.householdId === row.householdId;
}

/** Throws FORBIDDEN (department IDENTITY) unless `principal` may read `field` of `row`. */
export async function assertCitizenField(principal: Principal, row: CitizenRow, field: CitizenField, loaders: Loaders): Promise<void> {
  switch (principal.role) {
    case 'auditor':
      if (principal.auditOperation) return;
      break;
    case 'officer':
      if (principal.purpose && OFFICER_FIELDS.has(field)) return;
      break;
    case 'citizen':
      if (row.id === principal.sub) return;
      if (HOUSEHOLD_FIELDS.has(field) && (await sameHousehold(principal, row, loaders))) return;
      break;
  }
  throw forbidden(`a ${principal.role} may not read ${field} of this citizen`, 'IDENTITY');
}

/** Root look-ups: a citizen may look up only themselves (for any other id, found or not, FORBIDDEN). */
export function assertMayLookUp(principal: Principal, citizenId: string | null): void {
  if (principal.role === 'citizen' && citizenId !== principal.sub) {
    throw forbidden('citizens may look up only themselves', 'IDENTITY');
  }
}
