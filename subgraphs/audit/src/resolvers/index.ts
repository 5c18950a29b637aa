import { scalarResolvers } from '../../../../lib/scalars';
import type { Resolvers } from '../generated/resolvers';
import { Citizen } from './citizen';
import { Query } from './query';
import { AccessRecord } from './record';

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  Query,
  Citizen,
  AccessRecord,
};
