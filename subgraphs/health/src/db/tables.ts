/** Rows as the repository returns them (camelCase); resolvers shape them into graph types. */

/** A citizen as this department sees one: the id, and identity's live consent grants. */
export type { CitizenRef } from '../../../../lib/auth/access';

/** The parent of `Citizen.health`: whose profile it is. */
export interface ProfileParent {
  citizenId: string;
}

export interface FacilityRow {
  id: string;
  name: string;
  kind: 'HOSPITAL' | 'CLINIC' | 'COMMUNITY_HEALTH_CENTRE';
  city: string;
}

export interface EncounterRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  facilityId: string;
  kind: 'GP_VISIT' | 'SPECIALIST' | 'EMERGENCY' | 'INPATIENT' | 'TELEHEALTH';
  diagnosisCode: string;
  diagnosis: string;
}

export interface PrescriptionRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  encounterId: string | null;
  medication: string;
  dosage: string;
  daysSupply: number;
}

export interface VaccinationRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  facilityId: string;
  vaccine: string;
  doseNumber: number;
}

export interface InsuranceClaimRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  encounterId: string | null;
  status: 'SUBMITTED' | 'APPROVED' | 'PARTIALLY_APPROVED' | 'REJECTED';
  claimed: string;
  reimbursed: string;
  currency: string;
}
