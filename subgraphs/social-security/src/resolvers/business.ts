import { assertDepartmentWide } from '../../../../lib/auth/access';
import type { BusinessResolvers } from '../generated/resolvers';
import { employerContributions } from './evidence';

export const Business: BusinessResolvers = {
  // The business lives in the tax department's store; any id may have (possibly no) contributions.
  __resolveReference: (ref) => ({ id: ref.id }),
  // An employer's contributions span many citizens: a department-wide view.
  contributions: async (business, args, { loaders, principal, accessed }) => {
    assertDepartmentWide(principal, 'SOCIAL_SECURITY');
    const page = await loaders.employerContributions.load({ owner: business.id, ...args });
    for (const edge of page.edges) accessed.add(edge.node.citizenId);
    return page;
  },
  // For handling departments deciding an application (docs/applications.md).
  ...employerContributions,
};
