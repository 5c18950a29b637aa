import { assertDepartmentWide } from '../../../../lib/auth/access';
import type { BusinessResolvers, QueryResolvers } from '../generated/resolvers';

export const Business: BusinessResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.business.load(ref.id),
  // A business's rebates, whoever filed them: a department-wide view (owners see theirs in TaxProfile).
  exportRebates: async (business, args, { loaders, principal, accessed }) => {
    assertDepartmentWide(principal, 'TAX');
    const page = await loaders.exportRebatesByBusiness.load({ owner: business.id, ...args });
    for (const edge of page.edges) accessed.add(edge.node.citizenId);
    return page;
  },
};

export const Query: QueryResolvers = {
  business: (_root, { id }, { loaders }) => loaders.business.load(id),
};
