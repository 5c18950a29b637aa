import { assertDepartmentWide } from '../../../../lib/auth/access';
import { evidenceRequest, issueEvidence } from '../../../../lib/evidence-issuing';
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
  // For handling departments deciding an application (docs/applications.md): the registration,
  // and whether the applicant is its registered legal representative (one statement: the
  // businesses the applicant runs). The statement is about the applicant too, so they are recorded.
  taxEvidence: async (business, { type, applicant }, { principal, loaders, accessed }) => {
    const issued = evidenceRequest(principal, 'tax', type);
    accessed.add(applicant);
    const represented = await loaders.businessesByOwner.load(applicant);
    return issueEvidence(principal, 'tax', issued, business.id, {
      registrationNumber: business.registrationNumber,
      name: business.name,
      exporter: business.exporter,
      applicantIsLegalRepresentative: represented.some((row) => row.id === business.id),
    });
  },
};

export const Query: QueryResolvers = {
  business: (_root, { id }, { loaders }) => loaders.business.load(id),
};
