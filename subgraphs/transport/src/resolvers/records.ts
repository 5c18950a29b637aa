import { money } from '../../../../lib/scalars';
import type { DrivingLicenceResolvers, ViolationResolvers } from '../generated/resolvers';
import type { DrivingLicenceRow } from '../db/tables';

const VIOLATION_LABEL = {
  SPEEDING: 'Speeding',
  RED_LIGHT: 'Running a red light',
  PARKING: 'Illegal parking',
  NO_SEATBELT: 'No seatbelt',
  PHONE_WHILE_DRIVING: 'Phone while driving',
  FAILURE_TO_YIELD: 'Failure to yield to pedestrians',
} as const;

function licenceState(row: DrivingLicenceRow): string {
  switch (row.status) {
    case 'VALID':
      return `valid until ${row.expiresOn}`;
    case 'SUSPENDED':
      return `suspended (${row.penaltyPoints} points)`;
    case 'EXPIRED':
      return `expired ${row.expiresOn}`;
  }
}

export const DrivingLicence: DrivingLicenceResolvers = {
  department: () => 'TRANSPORT',
  title: (row) => `Driving licence ${row.categories.join('/')}, ${licenceState(row)}`,
};

export const Violation: ViolationResolvers = {
  department: () => 'TRANSPORT',
  title: (row) => {
    const points = row.points === 0 ? '' : row.points === 1 ? ', 1 point' : `, ${row.points} points`;
    return `${VIOLATION_LABEL[row.kind]} on ${row.location}: ${row.fine} ${row.currency}${points}`;
  },
  fine: (row) => money(row.fine, row.currency),
  vehicle: async (row, _args, { loaders }) => {
    const vehicle = await loaders.vehicle.load(row.vehicleId);
    if (!vehicle) throw new Error(`violation ${row.id} refers to missing vehicle ${row.vehicleId}`);
    return vehicle;
  },
};
