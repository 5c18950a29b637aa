import { contextFactory, type SubgraphContext } from '../../../lib/context';
import type { EvidenceType } from '../../../lib/procedures';

/** The desk keeps nothing of its own: no loaders. */
export type Context = SubgraphContext<Record<string, never>>;
export const createContext = contextFactory(() => ({}));

export interface CitizenRef {
  id: string;
}

/** A requirement of a procedure: its evidence type (the rest comes from lib/procedures.ts). */
export type RequirementParent = EvidenceType;

/** A procedure of the catalogue, as `Procedure` resolves from it. */
export type { Procedure as ProcedureParent } from '../../../lib/procedures';
/** What `verifyEvidence` found, as `EvidenceVerification` resolves from it. */
export type { EvidenceVerification as VerificationParent } from '../../../lib/evidence/document';
