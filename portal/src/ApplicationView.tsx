import { useMutation } from '@apollo/client/react';
import { useState } from 'react';
import { CitizenRequestEvidenceDocument, CitizenSubmitApplicationDocument } from '../../schema/operations/generated/graphql';
import { attributeLabel, attributeValue, days, errorText, issuerName, readLabel, statusLabel, type ApplicationDetail, type Evidence, type EvidenceRead } from './applications';
import { formatDateTime } from './format';

/**
 * One application, followed from start to decision: the evidence the handling department asked
 * the issuing departments for (each piece with its issuer, what it says and whether its signature
 * checks out against the issuer's published key, or why it is missing), then submission, then the
 * status history with times and the service time against the procedure's standard.
 */
export function ApplicationView({
  application,
  subjectName,
  schoolName,
  onChanged,
  onRefresh,
  refreshing,
  reads,
}: {
  application: ApplicationDetail;
  /** The reads the handling department made for this application (the access trail), when loaded. */
  reads?: readonly EvidenceRead[];
  subjectName?: string;
  schoolName?: string;
  /** The application as the last mutation returned it. */
  onChanged: (application: ApplicationDetail) => void;
  /** Loads the application again (for a decision made since). */
  onRefresh: () => void;
  refreshing: boolean;
}) {
  const [requestEvidence, requesting] = useMutation(CitizenRequestEvidenceDocument);
  const [submitApplication, submitting] = useMutation(CitizenSubmitApplicationDocument);
  const [problem, setProblem] = useState<string>();
  const busy = requesting.loading || submitting.loading;
  const status = application.status;
  const headingId = `application-${application.id}-heading`;
  const unavailable = application.evidence.filter((e) => e.status === 'UNAVAILABLE');
  const canRequest = status === 'DRAFT';
  const canSubmit = status === 'EVIDENCE_READY';

  async function run(action: 'request' | 'submit') {
    setProblem(undefined);
    try {
      const result =
        action === 'request'
          ? (await requestEvidence({ variables: { applicationId: application.id } })).data?.requestEvidence
          : (await submitApplication({ variables: { id: application.id } })).data?.submitApplication;
      if (result) onChanged(result);
    } catch (error) {
      setProblem(`${action === 'request' ? 'The evidence could not be requested' : 'The application could not be submitted'}: ${errorText(error)}`);
    }
  }

  return (
    <section className="card application" aria-labelledby={headingId}>
      <p className="eyebrow">
        Application <span className="mono">{application.id}</span>
      </p>
      <h2 id={headingId}>{application.procedure.title}</h2>
      <dl className="details">
        {subjectName && (
          <div>
            <dt>For</dt>
            <dd>{subjectName}</dd>
          </div>
        )}
        {application.schoolId && (
          <div>
            <dt>School</dt>
            <dd>{schoolName ?? application.schoolId}</dd>
          </div>
        )}
        <div>
          <dt>Started</dt>
          <dd>{formatDateTime(application.createdAt)}</dd>
        </div>
      </dl>
      <p className={`app-status app-status-${status.toLowerCase()}`} role="status">
        Status: <strong>{statusLabel(status)}</strong>
      </p>

      <h3>Evidence</h3>
      <p className="summary">
        You upload nothing: the {application.procedure.handlingDepartment === 'EDUCATION' ? 'education department' : 'department'} asks each
        department that holds a piece for a signed statement of only what it needs, when you ask it to. You see it here before they do.
      </p>
      <ul className="evidence-list">
        {application.evidence.map((evidence) => (
          <EvidenceItem key={evidence.type} evidence={evidence} />
        ))}
      </ul>
      {problem && (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        {canRequest && (
          <button type="button" className="primary" disabled={busy} onClick={() => void run('request')}>
            {requesting.loading ? 'Requesting the evidence…' : unavailable.length > 0 ? 'Request the missing evidence again' : 'Request the evidence'}
          </button>
        )}
        {canSubmit && (
          <button type="button" className="primary" disabled={busy} onClick={() => void run('submit')}>
            {submitting.loading ? 'Submitting…' : 'Submit'}
          </button>
        )}
        {!canRequest && !canSubmit && (
          <button type="button" disabled={refreshing} onClick={onRefresh}>
            {refreshing ? 'Checking…' : 'Check for updates'}
          </button>
        )}
      </div>
      {canSubmit && <p className="hint">Submitting lets the department see the application and the evidence above.</p>}

      {application.decision && (
        <div className={`notice ${application.decision === 'APPROVE' ? 'notice-ok' : 'notice-error'}`}>
          <p>
            <strong>{application.decision === 'APPROVE' ? 'Approved' : 'Rejected'}</strong>
            {application.decidedBy && ` by ${application.decidedBy}`}
            {application.decidedAt && ` on ${formatDateTime(application.decidedAt)}`}.
            {application.decisionReason && ` Reason: ${application.decisionReason}.`}
          </p>
          {application.recordId && (
            <p>
              {application.recordSummary ?? `Recorded as ${application.procedure.record}`} (<span className="mono">{application.recordId}</span>).
            </p>
          )}
        </div>
      )}

      <h3>History</h3>
      <ol className="history">
        {application.history.map((change, i) => (
          <li key={`${change.status}-${i}`}>
            <span className="record-title">{statusLabel(change.status)}</span> <time dateTime={change.at}>{formatDateTime(change.at)}</time>{' '}
            <span className="muted">by {change.actor}</span>
          </li>
        ))}
      </ol>
      <h3>Service time</h3>
      <ServiceTime application={application} />
      {reads && (
        <>
          <h3>Who read what for this application</h3>
          {reads.length === 0 ? (
            <p className="muted">No department has read anything for it yet.</p>
          ) : (
            <ol className="history reads">
              {reads.map((read) => (
                <li key={read.id}>
                  <span className="record-title">{readLabel(read)}</span> <time dateTime={read.occurredAt}>{formatDateTime(read.occurredAt)}</time>{' '}
                  <span className="muted">
                    ({read.accessorId}, from {read.services.join(', ')}: {read.purposeMeaning ?? 'no stated purpose'})
                  </span>
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}

function ServiceTime({ application }: { application: ApplicationDetail }) {
  const { standardDays, dueBy, elapsedDays, withinStandard } = application.serviceTime;
  const standard = `The department decides within ${standardDays} working ${standardDays === 1 ? 'day' : 'days'} of submission.`;
  if (!dueBy) return <p className="service-time">{standard} The clock starts when you submit.</p>;
  return (
    <p className="service-time">
      {standard} Due by {formatDateTime(dueBy)}.{' '}
      {elapsedDays !== null && elapsedDays !== undefined && (
        <>
          {days(elapsedDays)} {application.decidedAt ? 'to the decision' : 'so far'}
          {withinStandard === true ? ', within the standard.' : withinStandard === false ? ', beyond the standard.' : '.'}
        </>
      )}
    </p>
  );
}

function EvidenceItem({ evidence }: { evidence: Evidence }) {
  const issuer = issuerName(evidence.issuer);
  return (
    <li className={`evidence evidence-${evidence.status.toLowerCase()}`}>
      <div className="record-head">
        <span className="record-title">{evidence.title}</span>
        <span className="muted">
          Issued by {issuer} ({evidence.issuer})
        </span>
      </div>
      {evidence.status === 'RECEIVED' ? (
        <>
          {evidence.verified ? (
            <p className="verified">
              <span aria-hidden="true">✓ </span>Verified by {issuer}&apos;s published key
            </p>
          ) : (
            <p className="not-verified">
              <span aria-hidden="true">✗ </span>The signature does not check out against {issuer}&apos;s published keys
            </p>
          )}
          <dl className="details attributes">
            {evidence.attributes.map((attribute) => (
              <div key={attribute.name}>
                <dt>{attributeLabel(attribute.name)}</dt>
                <dd>{attributeValue(attribute.value, attribute.name)}</dd>
              </div>
            ))}
          </dl>
          {evidence.updatedAt && (
            <p className="muted small">
              Received <time dateTime={evidence.updatedAt}>{formatDateTime(evidence.updatedAt)}</time>
            </p>
          )}
        </>
      ) : evidence.status === 'UNAVAILABLE' ? (
        <p className="missing">
          Missing: {issuer} could not give it{evidence.error ? ` (${evidence.error.replace(/\.$/, '')})` : ''}. Request it again below.
        </p>
      ) : (
        <p className="muted">Not requested yet.</p>
      )}
    </li>
  );
}
