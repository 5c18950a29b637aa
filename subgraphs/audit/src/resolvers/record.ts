import { seesWholeRecord } from '../access';
import type { AccessRecordResolvers } from '../generated/resolvers';

const ROLE = { citizen: 'CITIZEN', officer: 'OFFICER', auditor: 'AUDITOR' } as const;
const OUTCOME = { complete: 'COMPLETE', partial: 'PARTIAL' } as const;

export const AccessRecord: AccessRecordResolvers = {
  role: (row) => ROLE[row.principalRole],
  department: (row) => row.principalDepartment,
  accessorId: (row) => row.principalSub,
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
