/** Rows as the repository returns them (camelCase); resolvers shape them into graph types. */

/** A citizen as this department sees one: the id, and identity's live consent grants. */
export type { CitizenRef } from '../../../../lib/auth/access';

/** The parent of `Citizen.transport`: whose profile it is. */
export interface ProfileParent {
  citizenId: string;
}

export interface DrivingLicenceRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  licenceNumber: string;
  categories: string[];
  issuedOn: string;
  expiresOn: string;
  penaltyPoints: number;
  status: 'VALID' | 'SUSPENDED' | 'EXPIRED';
}

export interface VehicleRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  plate: string;
  make: string;
  model: string;
  modelYear: number;
  fuelType: 'PETROL' | 'DIESEL' | 'HYBRID' | 'ELECTRIC';
  firstRegisteredOn: string;
}

export interface ViolationRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  vehicleId: string;
  kind: 'SPEEDING' | 'RED_LIGHT' | 'PARKING' | 'NO_SEATBELT' | 'PHONE_WHILE_DRIVING' | 'FAILURE_TO_YIELD';
  location: string;
  fine: string;
  currency: string;
  points: number;
  status: 'PAID' | 'UNPAID' | 'CONTESTED';
}
