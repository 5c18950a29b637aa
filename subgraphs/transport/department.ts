import type { DepartmentManifest } from '../manifest';

/** The transport department: driving licences, vehicles, traffic violations. */
export const transport = {
  name: 'transport',
  port: 4004,
  title: 'Transport',
  section: { field: 'transport', code: 'TRANSPORT', records: { connection: 'vehicles', table: 'vehicles' } },
  mappers: {
    Citizen: '../db/tables#CitizenRef',
    TransportProfile: '../db/tables#ProfileParent',
    DrivingLicence: '../db/tables#DrivingLicenceRow',
    Vehicle: '../db/tables#VehicleRow',
    Violation: '../db/tables#ViolationRow',
  },
  server: './src/server#transport',
  seed: './seed#transportSeed',
} as const satisfies DepartmentManifest;
