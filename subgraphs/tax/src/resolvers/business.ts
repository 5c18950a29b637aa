import { assertDepartmentWide } from '../../../../lib/auth/access';
import type { BusinessResolvers, QueryResolvers } from '../generated/resolvers';

export const Business: BusinessResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.business.load(ref.id),
  // A business's rebates, whoever filed them: a department-wide view (owners see theirs in TaxProfile).
  exportRebates: (business, args, { loaders, principal }) => {
    assertDepartmentWide(principal, 'TAX');
    return loaders.exportRebatesByBusiness.load({ owner: business.id, ...args });
  },
};

export const Query: QueryResolvers = {
  business: (_root, { id }, { loaders }) => loaders.business.load(id),
};
