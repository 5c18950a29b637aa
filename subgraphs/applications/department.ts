import type { DepartmentManifest } from '../manifest';

/**
 * The applications desk: the graph's one place to apply (docs/applications.md). It owns the
 * root fields of applications and `Citizen.applications`, and forwards each call to the
 * department that handles the procedure, where the application is kept.
 */
export const applications = {
  name: 'applications',
  port: 4008,
  title: 'Applications',
  mappers: {
    Citizen: '../context#CitizenRef',
    Application: '../../../../lib/applications/model#ApplicationView',
    ApplicationEvidence: '../../../../lib/applications/model#EvidenceView',
    Procedure: '../context#ProcedureParent',
    EvidenceRequirement: '../context#RequirementParent',
    EvidenceVerification: '../context#VerificationParent',
  },
  server: './src/server#applications',
} as const satisfies DepartmentManifest;
