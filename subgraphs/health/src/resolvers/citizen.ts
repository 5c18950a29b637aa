import { sectionResolver } from '../../../../lib/auth/access';
import { evidenceRequest, issueEvidence } from '../../../../lib/evidence-issuing';
import type { CitizenResolvers, HealthProfileResolvers } from '../generated/resolvers';

export const Citizen: CitizenResolvers = {
  // Health keeps no copy of the registry: any citizen id has a (possibly empty) profile.
  // The representation carries identity's live consent grants (`@requires`) for sectionResolver.
  __resolveReference: (ref) => ref,
  health: sectionResolver('HEALTH'),
  // For handling departments deciding an application (docs/applications.md). Health keeps no
  // registry, so a citizen with no vaccinations gets a statement of none: a definite answer.
  healthEvidence: async (citizen, { type }, { principal, loaders, accessed }) => {
    const issued = evidenceRequest(principal, 'health', type);
    accessed.add(citizen.id);
    const rows = await loaders.vaccinationHistory.load(citizen.id);
    // Records are made in office hours, China Standard Time: the UTC date is the local one.
    const doses = rows.map((row) => ({ vaccine: row.vaccine, dose: row.doseNumber, date: row.occurredAt.toISOString().slice(0, 10) }));
    return issueEvidence(principal, 'health', issued, citizen.id, { doses });
  },
};

export const HealthProfile: HealthProfileResolvers = {
  encounters: (p, args, { loaders }) => loaders.encounters.load({ owner: p.citizenId, ...args }),
  prescriptions: (p, args, { loaders }) => loaders.prescriptions.load({ owner: p.citizenId, ...args }),
  vaccinations: (p, args, { loaders }) => loaders.vaccinations.load({ owner: p.citizenId, ...args }),
  insuranceClaims: (p, args, { loaders }) => loaders.insuranceClaims.load({ owner: p.citizenId, ...args }),
};
