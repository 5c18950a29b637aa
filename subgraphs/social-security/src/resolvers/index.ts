import { scalarResolvers } from '../../../../lib/scalars';
import type { Resolvers } from '../generated/resolvers';
import { Business } from './business';
import { Citizen, SocialSecurityProfile } from './citizen';
import { Benefit, Contribution, Pension } from './records';
import { InsuranceVoucher, Mutation } from './vouchers';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Citizen,
  SocialSecurityProfile,
  Business,
  Contribution,
  Benefit,
  Pension,
  InsuranceVoucher,
  Mutation,
};
