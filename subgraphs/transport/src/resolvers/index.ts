import { scalarResolvers } from '../../../../lib/scalars';
import type { Resolvers } from '../generated/resolvers';
import { Citizen, TransportProfile } from './citizen';
import { DrivingLicence, Violation } from './records';
import { Vehicle } from './vehicle';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Citizen,
  TransportProfile,
  DrivingLicence,
  Vehicle,
  Violation,
};
