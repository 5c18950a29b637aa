import { scalarResolvers } from '../../../../lib/scalars';
import type { Resolvers } from '../generated/resolvers';
import { Application } from './application';
import { Citizen } from './citizen';
import { Query } from './query';
import { AccessRecord } from './record';

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  Query,
  Application,
  Citizen,
  AccessRecord,
};
