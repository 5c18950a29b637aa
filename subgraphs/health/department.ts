import type { DepartmentManifest } from '../manifest';

/** The health department: encounters, prescriptions, vaccinations, insurance claims; owns `Facility`. */
export const health = {
  name: 'health',
  port: 4002,
  title: 'Health',
  section: { field: 'health', code: 'HEALTH', records: { connection: 'encounters', table: 'encounters' } },
  mappers: {
    Citizen: '../db/tables#CitizenRef',
    HealthProfile: '../db/tables#ProfileParent',
    Encounter: '../db/tables#EncounterRow',
    Prescription: '../db/tables#PrescriptionRow',
    Vaccination: '../db/tables#VaccinationRow',
    InsuranceClaim: '../db/tables#InsuranceClaimRow',
    Facility: '../db/tables#FacilityRow',
  },
  server: './src/server#health',
  seed: './seed#healthSeed',
} as const satisfies DepartmentManifest;
