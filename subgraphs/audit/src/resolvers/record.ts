import { purposeByCode } from '../../../../lib/purposes';
import { seesCaseId, seesWholeRecord } from '../access';
import type { AccessRecordResolvers } from '../generated/resolvers';

const ROLE = { citizen: 'CITIZEN', officer: 'OFFICER', auditor: 'AUDITOR' } as const;
const OUTCOME = { complete: 'COMPLETE', partial: 'PARTIAL' } as const;

export const AccessRecord: AccessRecordResolvers = {
  role: (row) => ROLE[row.principalRole],
  department: (row) => row.principalDepartment,
  accessorId: (row) => row.principalSub,
  // Records written before purposes were codes may hold free text: only auditors see that.
  purpose: (row, _args, { principal }) => (purposeByCode(row.purpose) || seesWholeRecord(principal) ? row.purpose : null),
  purposeMeaning: (row) => purposeByCode(row.purpose)?.meaning ?? null,
  caseId: (row, _args, { principal }) => (seesCaseId(principal, row) ? row.caseId : null),
  services: (row) => row.departments,
  outcome: (row) => OUTCOME[row.outcome],
  citizenIds: (row, _args, { principal, accessed }) => {
    if (!seesWholeRecord(principal)) return null;
    for (const id of row.citizenIds) accessed.add(id);
    return row.citizenIds;
  },
  hash: (row, _args, { principal }) => (seesWholeRecord(principal) ? row.hash : null),
  prevHash: (row, _args, { principal }) => (seesWholeRecord(principal) ? row.prevHash : null),
};
