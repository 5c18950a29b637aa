import { assertSectionAccess } from '../../../../lib/auth/access';
import type { VehicleResolvers } from '../generated/resolvers';

export const Vehicle: VehicleResolvers = {
  // A vehicle is its owner's record: the owner, transport officers and audit operations only.
  __resolveReference: async (ref, { loaders, principal, accessed }) => {
    const vehicle = await loaders.vehicle.load(ref.id);
    if (vehicle) {
      assertSectionAccess(principal, vehicle.citizenId, 'TRANSPORT');
      accessed.add(vehicle.citizenId);
    }
    return vehicle;
  },
  department: () => 'TRANSPORT',
  title: (row) => `Vehicle registered: ${row.plate}, ${row.make} ${row.model} (${row.modelYear})`,
};
