import { money } from '../../../../lib/scalars';
import type {
  EncounterResolvers,
  InsuranceClaimResolvers,
  PrescriptionResolvers,
  VaccinationResolvers,
} from '../generated/resolvers';

const ENCOUNTER_LABEL = {
  GP_VISIT: 'GP visit',
  SPECIALIST: 'Specialist consultation',
  EMERGENCY: 'Emergency visit',
  INPATIENT: 'Hospital stay',
  TELEHEALTH: 'Telehealth consultation',
} as const;

const CLAIM_LABEL = {
  SUBMITTED: 'submitted',
  APPROVED: 'approved',
  PARTIALLY_APPROVED: 'partly approved',
  REJECTED: 'rejected',
} as const;

export const Encounter: EncounterResolvers = {
  department: () => 'HEALTH',
  title: (row) => `${ENCOUNTER_LABEL[row.kind]}: ${row.diagnosis}`,
  facility: async (row, _args, { loaders }) => {
    const facility = await loaders.facility.load(row.facilityId);
    if (!facility) throw new Error(`encounter ${row.id} refers to missing facility ${row.facilityId}`);
    return facility;
  },
};

export const Prescription: PrescriptionResolvers = {
  department: () => 'HEALTH',
  title: (row) => `Prescription: ${row.medication}`,
  encounter: (row, _args, { loaders }) => (row.encounterId ? loaders.encounter.load(row.encounterId) : null),
};

export const Vaccination: VaccinationResolvers = {
  department: () => 'HEALTH',
  title: (row) => `Vaccination: ${row.vaccine} (dose ${row.doseNumber})`,
  facility: async (row, _args, { loaders }) => {
    const facility = await loaders.facility.load(row.facilityId);
    if (!facility) throw new Error(`vaccination ${row.id} refers to missing facility ${row.facilityId}`);
    return facility;
  },
};

export const InsuranceClaim: InsuranceClaimResolvers = {
  department: () => 'HEALTH',
  title: (row) => `Insurance claim ${CLAIM_LABEL[row.status]}: ${row.claimed} ${row.currency}`,
  claimed: (row) => money(row.claimed, row.currency),
  reimbursed: (row) => money(row.reimbursed, row.currency),
  encounter: (row, _args, { loaders }) => (row.encounterId ? loaders.encounter.load(row.encounterId) : null),
};
