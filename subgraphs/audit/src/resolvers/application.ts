import { forbidden } from '../../../../lib/auth/access';
import { APPLICATION_ID } from '../../../../lib/procedures';
import { inAuditOperation } from '../access';
import { departmentReadsForCase } from '../db/repository';
import type { ApplicationResolvers } from '../generated/resolvers';

export const Application: ApplicationResolvers = {
  // The gateway brings the id and the applicant from the desk, which holds the application.
  __resolveReference: (ref) => ref,
  evidenceReads: async (application, _args, { principal, db, accessed }) => {
    const mine = principal.role === 'citizen' && principal.sub === application.applicantId;
    if (!mine && !inAuditOperation(principal)) throw forbidden("only the applicant and audit operations see the reads made for an application", 'AUDIT');
    if (!APPLICATION_ID.test(application.id)) return [];
    const reads = await departmentReadsForCase(db, application.id);
    // Who read a child's data is about the child: the trail records this answer under them.
    for (const read of reads) for (const id of read.citizenIds) accessed.add(id);
    return reads;
  },
};
