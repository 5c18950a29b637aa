import type { Department } from '../../../../lib/auth/principal';

/** Rows as the repository returns them (camelCase); resolvers shape them into graph types. */

export interface CitizenRow {
  id: string;
  nationalId: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: 'FEMALE' | 'MALE' | null;
  householdId: string | null;
}

export interface HouseholdRow {
  id: string;
  line1: string;
  city: string;
  province: string;
  postalCode: string;
}

export interface ConsentRow {
  id: string;
  citizenId: string;
  grantee: Department;
  section: Department;
  purpose: string;
  grantedAt: Date;
  expiresOn: string;
  revokedAt: Date | null;
}

export const CITIZEN_COLUMNS = [
  'id',
  'national_id',
  'given_name',
  'family_name',
  'birth_date',
  'sex',
  'household_id',
] as const;
export const HOUSEHOLD_COLUMNS = ['id', 'line1', 'city', 'province', 'postal_code'] as const;
