import type { VehicleResolvers } from '../generated/resolvers';

export const Vehicle: VehicleResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.vehicle.load(ref.id),
  department: () => 'TRANSPORT',
  title: (row) => `Vehicle registered: ${row.plate}, ${row.make} ${row.model} (${row.modelYear})`,
};
