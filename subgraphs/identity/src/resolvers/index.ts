import { scalarResolvers } from '../../../../lib/scalars';
import type { Resolvers } from '../generated/resolvers';
import { Citizen } from './citizen';
import { ConsentGrant, Mutation } from './consent';
import { Household } from './household';
import { Query } from './query';

export const resolvers: Resolvers = {
  Date: scalarResolvers.Date,
  DateTime: scalarResolvers.DateTime,
  Query,
  Mutation,
  Citizen,
  ConsentGrant,
  Household,
};
