import { sectionResolver } from '../../../../lib/auth/access';
import type { CitizenResolvers, TransportProfileResolvers } from '../generated/resolvers';

export const Citizen: CitizenResolvers = {
  // Transport keeps no copy of the registry: any citizen id has a (possibly empty) profile.
  // The representation carries identity's live consent grants (`@requires`) for sectionResolver.
  __resolveReference: (ref) => ref,
  transport: sectionResolver('TRANSPORT'),
};

export const TransportProfile: TransportProfileResolvers = {
  drivingLicence: (p, _args, { loaders }) => loaders.drivingLicence.load(p.citizenId),
  vehicles: (p, args, { loaders }) => loaders.vehicles.load({ owner: p.citizenId, ...args }),
  violations: (p, args, { loaders }) => loaders.violations.load({ owner: p.citizenId, ...args }),
};
