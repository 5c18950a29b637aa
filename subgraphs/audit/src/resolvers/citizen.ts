import { pageArgs } from '../../../../lib/paging';
import { assertMayReadAccessLog } from '../access';
import type { CitizenResolvers } from '../generated/resolvers';

export const Citizen: CitizenResolvers = {
  // The audit service keeps no copy of the registry: any citizen id has a (possibly empty) log.
  __resolveReference: (ref) => ref,
  accessLog: (citizen, args, { principal, loaders, accessed }) => {
    assertMayReadAccessLog(principal, citizen.id);
    pageArgs(args); // a bad `first` or `after` fails this field alone, not the loader's whole batch
    accessed.add(citizen.id);
    return loaders.accessLog.load({ owner: citizen.id, ...args });
  },
};
