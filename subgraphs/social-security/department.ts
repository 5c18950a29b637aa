import type { DepartmentManifest } from '../manifest';

/** The social security department: contributions by employer, benefits, pension; adds `Business.contributions`. */
export const socialSecurity = {
  name: 'social-security',
  port: 4006,
  title: 'Social security',
  section: { field: 'socialSecurity', code: 'SOCIAL_SECURITY', records: { connection: 'contributions', table: 'contributions' } },
  mappers: {
    Citizen: '../db/tables#CitizenRef',
    SocialSecurityProfile: '../db/tables#ProfileParent',
    Contribution: '../db/tables#ContributionRow',
    Benefit: '../db/tables#BenefitRow',
    Pension: '../db/tables#PensionRow',
    InsuranceVoucher: '../db/tables#VoucherRow',
    Business: '../db/tables#BusinessRef',
  },
  server: './src/server#socialSecurity',
  seed: './seed#socialSecuritySeed',
} as const satisfies DepartmentManifest;
