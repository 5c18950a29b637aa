import { assertSectionAccess } from '../../../../lib/auth/access';
import type { CitizenResolvers, TransportProfileResolvers } from '../generated/resolvers';

export const Citizen: CitizenResolvers = {
  // Transport keeps no copy of the registry: any citizen id has a (possibly empty) profile.
  // The representation carries identity's live consent grants (`@requires`) for the check below.
  __resolveReference: (ref) => ref,
  transport: (citizen, _args, { principal, accessed }) => {
    assertSectionAccess(principal, citizen.id, 'TRANSPORT', citizen.accessGrants);
    accessed.add(citizen.id);
    return { citizenId: citizen.id };
  },
};

export const TransportProfile: TransportProfileResolvers = {
  drivingLicence: (p, _args, { loaders }) => loaders.drivingLicence.load(p.citizenId),
  vehicles: (p, args, { loaders }) => loaders.vehicles.load({ owner: p.citizenId, ...args }),
  violations: (p, args, { loaders }) => loaders.violations.load({ owner: p.citizenId, ...args }),
};
