import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  EvidenceFromHealthDocument,
  EvidenceFromIdentityDocument,
  EvidenceFromSocialSecurityDocument,
  EvidenceFromSocialSecurityForBusinessDocument,
  EvidenceFromTaxForBusinessDocument,
  type EvidenceType as GraphEvidenceType,
} from '../../schema/operations/generated/graphql';
import { EVIDENCE_TYPES, type EvidenceType, type HandlingService, type Procedure } from '../procedures';
import type { ApplicationRow } from './model';
import { callGateway } from './gateway-client';

/**
 * Where each piece of evidence is fetched from: the registered operation (schema/operations/
 * Evidence*.graphql) that asks its issuer through the gateway, and where the document is in the
 * answer. The subject is a citizen or a business, as the procedure says.
 */
type Variables = { subject: string; type: GraphEvidenceType; applicant: string };
type Source = { document: TypedDocumentNode<any, Variables>; pick: (data: any) => string | null | undefined };

const CITIZEN_SOURCES: Partial<Record<string, Source>> = {
  identity: { document: EvidenceFromIdentityDocument, pick: (d) => d?.citizen?.identityEvidence },
  health: { document: EvidenceFromHealthDocument, pick: (d) => d?.citizen?.healthEvidence },
  'social-security': { document: EvidenceFromSocialSecurityDocument, pick: (d) => d?.citizen?.socialSecurityEvidence },
};
const BUSINESS_SOURCES: Partial<Record<string, Source>> = {
  tax: { document: EvidenceFromTaxForBusinessDocument, pick: (d) => d?.business?.taxEvidence },
  'social-security': { document: EvidenceFromSocialSecurityForBusinessDocument, pick: (d) => d?.business?.socialSecurityEvidence },
};

export interface EvidenceAnswer {
  document: string | null;
  error?: string;
}

/** Asks the issuer of `type` for it, as `service`, for `application`; never throws. */
export async function fetchEvidence(service: HandlingService, type: EvidenceType, procedure: Procedure, application: ApplicationRow): Promise<EvidenceAnswer> {
  const issuer = EVIDENCE_TYPES[type].issuer;
  const source = (procedure.subject === 'REPRESENTED_BUSINESS' ? BUSINESS_SOURCES : CITIZEN_SOURCES)[issuer];
  if (!source) return { document: null, error: `no registered operation fetches ${type} from ${issuer}` };
  const answer = await callGateway(
    service,
    source.document,
    { subject: application.subjectId, type: type as GraphEvidenceType, applicant: application.applicantId },
    { purpose: procedure.code, caseId: application.id },
  );
  const document = source.pick(answer.data);
  if (typeof document === 'string' && document) return { document };
  const why = answer.errors?.map((e) => `${e.message}${e.extensions?.code ? ` (${String(e.extensions.code)})` : ''}`).join('; ');
  return { document: null, error: why || `${issuer} stated nothing for ${type}` };
}
