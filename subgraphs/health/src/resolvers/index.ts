import { scalarResolvers } from '../../../../lib/scalars';
import type { Resolvers } from '../generated/resolvers';
import { Citizen, HealthProfile } from './citizen';
import { Facility, Query } from './facility';
import { Encounter, InsuranceClaim, Prescription, Vaccination } from './records';
import { Mutation } from './vouchers';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Mutation,
  Citizen,
  HealthProfile,
  Facility,
  Encounter,
  Prescription,
  Vaccination,
  InsuranceClaim,
};
