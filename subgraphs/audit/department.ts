import type { DepartmentManifest } from '../manifest';

/** The access trail: every read of a citizen's data, hash-chained; serves `Citizen.accessLog`. */
export const audit = {
  name: 'audit',
  port: 4007,
  title: 'Access trail',
  mappers: {
    Citizen: '../db/tables#CitizenRef',
    Application: '../db/tables#ApplicationRef',
    AccessRecord: '../db/tables#AccessRecordRow',
  },
  server: './src/server#audit',
} as const satisfies DepartmentManifest;
