import { scalarResolvers } from '../../../../lib/scalars';
import type { Resolvers } from '../generated/resolvers';
import { Business, Query } from './business';
import { Citizen, TaxProfile } from './citizen';
import { Mutation } from './payments';
import { ExportRebate, TaxPayment, TaxReturn } from './records';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Mutation,
  Citizen,
  TaxProfile,
  Business,
  TaxReturn,
  TaxPayment,
  ExportRebate,
};
