import { assertDepartmentWide } from '../../../../lib/auth/access';
import type { BusinessResolvers } from '../generated/resolvers';

export const Business: BusinessResolvers = {
  // The business lives in the tax department's store; any id may have (possibly no) contributions.
  __resolveReference: (ref) => ({ id: ref.id }),
  // An employer's contributions span many citizens: a department-wide view.
  contributions: (business, args, { loaders, principal }) => {
    assertDepartmentWide(principal, 'SOCIAL_SECURITY');
    return loaders.employerContributions.load({ owner: business.id, ...args });
  },
};
