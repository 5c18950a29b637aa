import { scalarResolvers } from '../../../../lib/scalars';
import type { Resolvers } from '../generated/resolvers';
import { Business, Query } from './business';
import { Citizen, TaxProfile } from './citizen';
import { ExportRebate, TaxPayment, TaxReturn } from './records';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Citizen,
  TaxProfile,
  Business,
  TaxReturn,
  TaxPayment,
  ExportRebate,
};
