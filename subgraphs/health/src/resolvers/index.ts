import { scalarResolvers } from '../../../../lib/scalars';
import type { Resolvers } from '../generated/resolvers';
import { Citizen, HealthProfile } from './citizen';
import { Facility, Query } from './facility';
import { Encounter, InsuranceClaim, Prescription, Vaccination } from './records';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Citizen,
  HealthProfile,
  Facility,
  Encounter,
  Prescription,
  Vaccination,
  InsuranceClaim,
};
