import type { DepartmentManifest } from '../manifest';

/** The civil registry: owns `Citizen` and `Household`, and the consent grants citizens give. */
export const identity = {
  name: 'identity',
  port: 4001,
  title: 'Civil registry',
  mappers: {
    Citizen: '../db/tables#CitizenRow',
    Household: '../db/tables#HouseholdRow',
    ConsentGrant: '../db/tables#ConsentRow',
  },
  server: './src/server#identity',
  seed: './seed#identitySeed',
} as const satisfies DepartmentManifest;
