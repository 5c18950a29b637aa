import { scalarResolvers } from '../../../../lib/scalars';
import type { Resolvers } from '../generated/resolvers';
import { Business } from './business';
import { Citizen, SocialSecurityProfile } from './citizen';
import { Benefit, Contribution, Pension } from './records';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Citizen,
  SocialSecurityProfile,
  Business,
  Contribution,
  Benefit,
  Pension,
};
