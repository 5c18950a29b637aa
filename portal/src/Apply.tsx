import { useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import {
  CitizenApplicationDocument,
  CitizenApplicationsDocument,
  CitizenHouseholdDocument,
  CitizenProceduresDocument,
  CitizenSchoolsDocument,
  CitizenStartApplicationDocument,
  type CitizenProceduresQuery,
  type CitizenSchoolsQuery,
} from '../../schema/operations/generated/graphql';
import { errorText, issuerName, newClientRequestId, statusLabel, type ApplicationDetail } from './applications';
import { ApplicationView } from './ApplicationView';
import { departmentByCode } from './departments';
import { age, formatDate, formatDateTime, humanize } from './format';
import type { Session } from './session';
import { follow } from './view';

type Procedure = CitizenProceduresQuery['procedures'][number];
type School = CitizenSchoolsQuery['schools']['edges'][number]['node'];

/**
 * "Apply": the procedures a citizen can apply for once, the school-enrollment form, the
 * application being followed (`#apply/<id>`) and the citizen's applications. Every request is a
 * registered operation sent by id (Citizen*.graphql).
 */
export function Apply({ session, applicationId }: { session: Session; applicationId?: string }) {
  const me = session.citizenId;
  const procedures = useQuery(CitizenProceduresDocument, { fetchPolicy: 'cache-first' });
  const household = useQuery(CitizenHouseholdDocument, { variables: { id: me }, fetchPolicy: 'cache-first' });
  const city = household.data?.citizen?.household?.address.city ?? household.data?.citizen?.address?.city ?? undefined;
  const schools = useQuery(CitizenSchoolsDocument, { variables: { city, first: 50 }, skip: !household.data, fetchPolicy: 'cache-first' });
  const mine = useQuery(CitizenApplicationsDocument, { variables: { id: me }, fetchPolicy: 'network-only', notifyOnNetworkStatusChange: true });
  const [formOpen, setFormOpen] = useState(false);

  // Names for the ids an application carries: the household's members and the schools listed.
  const members = household.data?.citizen?.household?.members ?? [];
  const nameOf = useMemo(() => new Map(members.map((m) => [m.id, m.name.full])), [members]);
  const schoolList = useMemo(() => (schools.data?.schools.edges ?? []).map((e) => e.node), [schools.data]);
  const schoolOf = useMemo(() => new Map(schoolList.map((s) => [s.id, s.name])), [schoolList]);

  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, [applicationId]);

  const started = (application: ApplicationDetail) => {
    setFormOpen(false);
    void mine.refetch();
    follow(application.id);
  };

  return (
    <>
      <h1 ref={heading} tabIndex={-1} id="apply-heading">
        Apply once
      </h1>
      <p className="lead">
        Apply in one place. You never hand in a document the state already holds: the department that decides asks the departments that
        hold the evidence for it, when you say so, and you see each piece before you submit.
      </p>
      {applicationId && (
        <FollowedApplication
          key={applicationId}
          me={me}
          applicationId={applicationId}
          subjectName={(id) => nameOf.get(id)}
          schoolName={(id) => schoolOf.get(id)}
          onChanged={() => void mine.refetch()}
        />
      )}
      {formOpen && (
        <SchoolEnrollmentForm
          me={me}
          members={members}
          schools={schoolList}
          city={city}
          schoolsLoading={schools.loading}
          onCancel={() => setFormOpen(false)}
          onStarted={started}
        />
      )}
      <section id="procedures" className="card" aria-labelledby="procedures-heading">
        <h2 id="procedures-heading">What you can apply for</h2>
        {procedures.loading ? (
          <p role="status">Loading the procedures…</p>
        ) : procedures.error ? (
          <p className="notice notice-error" role="alert">
            The procedures could not be loaded: {errorText(procedures.error)}
          </p>
        ) : (
          <ul className="procedures">
            {(procedures.data?.procedures ?? []).map((procedure) => (
              <ProcedureItem key={procedure.code} procedure={procedure} onApply={() => setFormOpen(true)} formOpen={formOpen} />
            ))}
          </ul>
        )}
      </section>
      <section id="my-applications" className="card" aria-labelledby="my-applications-heading">
        <h2 id="my-applications-heading">My applications</h2>
        {mine.loading && !mine.data ? (
          <p role="status">Loading your applications…</p>
        ) : mine.error ? (
          <div className="notice notice-error" role="alert">
            <p>Your applications could not be loaded: {errorText(mine.error)}</p>
            <button type="button" onClick={() => void mine.refetch()}>
              Try again
            </button>
          </div>
        ) : (mine.data?.citizen?.applications.edges.length ?? 0) === 0 ? (
          <p>You have not applied for anything yet.</p>
        ) : (
          <ul className="records my-applications">
            {mine.data!.citizen!.applications.edges.map(({ node }) => (
              <li key={node.id} className="record">
                <div className="record-head">
                  <a className="record-title" href={`#apply/${node.id}`} aria-current={node.id === applicationId ? 'true' : undefined}>
                    {node.procedure.title}
                  </a>
                  <time dateTime={node.createdAt}>{formatDateTime(node.createdAt)}</time>
                </div>
                <dl className="details">
                  <div>
                    <dt>Status</dt>
                    <dd>
                      <strong>{statusLabel(node.status)}</strong>
                    </dd>
                  </div>
                  <div>
                    <dt>For</dt>
                    <dd>{node.subjectId === me ? 'You' : (nameOf.get(node.subjectId) ?? node.subjectId)}</dd>
                  </div>
                  {node.schoolId && (
                    <div>
                      <dt>School</dt>
                      <dd>{schoolOf.get(node.schoolId) ?? node.schoolId}</dd>
                    </div>
                  )}
                  <div>
                    <dt>Id</dt>
                    <dd className="mono">{node.id}</dd>
                  </div>
                </dl>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function ProcedureItem({ procedure, onApply, formOpen }: { procedure: Procedure; onApply: () => void; formOpen: boolean }) {
  const department = departmentByCode(procedure.handlingDepartment)?.name ?? humanize(procedure.handlingDepartment);
  return (
    <li className="procedure">
      <h3>{procedure.title}</h3>
      <dl className="details">
        <div>
          <dt>Decided by</dt>
          <dd>{department}</dd>
        </div>
        <div>
          <dt>Decision within</dt>
          <dd>
            {procedure.serviceTimeDays} working {procedure.serviceTimeDays === 1 ? 'day' : 'days'}
          </dd>
        </div>
      </dl>
      <p className="summary">Evidence the department obtains for you:</p>
      <ul className="evidence-needed">
        {procedure.evidence.map((evidence) => (
          <li key={evidence.type}>
            {evidence.title} <span className="muted">from {issuerName(evidence.issuer)}</span>
          </li>
        ))}
      </ul>
      {procedure.code === 'SCHOOL_ENROLLMENT' ? (
        <button type="button" className="primary" onClick={onApply} disabled={formOpen} aria-controls="school-enrollment-form">
          Apply for school enrollment
        </button>
      ) : (
        <p className="muted">Not available in this portal yet.</p>
      )}
    </li>
  );
}

type Member = { id: string; name: { full: string }; birthDate: string; sex: string | null };

/** The school-enrollment form: a child under 18 of the household and a school of its city. */
function SchoolEnrollmentForm({
  me,
  members,
  schools,
  city,
  schoolsLoading,
  onCancel,
  onStarted,
}: {
  me: string;
  members: Member[];
  schools: School[];
  city?: string;
  schoolsLoading: boolean;
  onCancel: () => void;
  onStarted: (application: ApplicationDetail) => void;
}) {
  // One key for this form's whole life: a double click or a retry returns the same application.
  const [clientRequestId] = useState(newClientRequestId);
  const children = members.filter((m) => m.id !== me && age(m.birthDate) < 18);
  const eligibleSchools = schools.filter((s) => s.kind !== 'UNIVERSITY');
  const [childId, setChildId] = useState<string>();
  const [schoolId, setSchoolId] = useState('');
  const [startApplication, { loading }] = useMutation(CitizenStartApplicationDocument);
  const [problem, setProblem] = useState<string>();
  const schoolFieldId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const chosenChild = childId ?? (children.length === 1 ? children[0].id : undefined);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!chosenChild) return setProblem('Choose the child you are applying for.');
    if (!schoolId) return setProblem('Choose a school.');
    setProblem(undefined);
    try {
      const { data } = await startApplication({
        variables: { input: { procedure: 'SCHOOL_ENROLLMENT', subjectId: chosenChild, schoolId, clientRequestId } },
      });
      if (data) onStarted(data.startApplication);
    } catch (error) {
      setProblem(`The application could not be started: ${errorText(error)}`);
    }
  }

  return (
    <section id="school-enrollment-form" className="card apply-form" aria-labelledby="school-enrollment-heading">
      <h2 id="school-enrollment-heading" ref={heading} tabIndex={-1}>
        Apply for school enrollment
      </h2>
      {children.length === 0 ? (
        <>
          <p className="notice" role="status">
            No child under 18 is registered in your household. School enrollment is for a child of your own household.
          </p>
          <button type="button" onClick={onCancel}>
            Close
          </button>
        </>
      ) : (
        <form onSubmit={(event) => void submit(event)} noValidate aria-busy={loading}>
          <fieldset>
            <legend>Child</legend>
            {children.map((child) => (
              <label key={child.id} className="choice">
                <input type="radio" name="child" value={child.id} checked={chosenChild === child.id} onChange={() => setChildId(child.id)} />
                {child.name.full}{' '}
                <span className="muted">
                  (born {formatDate(child.birthDate)}, age {age(child.birthDate)})
                </span>
              </label>
            ))}
          </fieldset>
          <label htmlFor={schoolFieldId}>School</label>
          <select id={schoolFieldId} value={schoolId} onChange={(event) => setSchoolId(event.target.value)} required disabled={schoolsLoading}>
            <option value="">{schoolsLoading ? 'Loading the schools…' : `Choose a school${city ? ` in ${city}` : ''}`}</option>
            {eligibleSchools.map((school) => (
              <option key={school.id} value={school.id}>
                {school.name} ({humanize(school.kind)}, {school.city})
              </option>
            ))}
          </select>
          <p className="hint">Schools in your household&apos;s city. Approval enrolls the child from the next school year.</p>
          {problem && (
            <p className="notice notice-error" role="alert">
              {problem}
            </p>
          )}
          <div className="actions">
            <button type="submit" className="primary" disabled={loading}>
              {loading ? 'Starting…' : 'Start the application'}
            </button>
            <button type="button" onClick={onCancel} disabled={loading}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The application `#apply/<id>` names, loaded with everything about it, and kept as each step returns it. */
function FollowedApplication({
  me,
  applicationId,
  subjectName,
  schoolName,
  onChanged,
}: {
  me: string;
  applicationId: string;
  subjectName: (id: string) => string | undefined;
  schoolName: (id: string) => string | undefined;
  onChanged: () => void;
}) {
  const { data, error, loading, refetch } = useQuery(CitizenApplicationDocument, {
    variables: { id: applicationId },
    fetchPolicy: 'network-only',
    notifyOnNetworkStatusChange: true,
  });
  const [latest, setLatest] = useState<ApplicationDetail>();
  const loaded = data?.application ?? undefined;
  const application = latest?.id === applicationId ? latest : loaded;

  if (!application) {
    if (loading) return <p role="status">Loading application {applicationId}…</p>;
    return (
      <div className="notice notice-error" role="alert">
        <p>{error ? `The application could not be loaded: ${errorText(error)}` : `You have no application ${applicationId}.`}</p>
        <button type="button" onClick={() => void refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return (
    <ApplicationView
      application={application}
      reads={data?.application?.evidenceReads}
      subjectName={application.subjectId === me ? 'You' : (subjectName(application.subjectId) ?? application.subjectId)}
      schoolName={application.schoolId ? schoolName(application.schoolId) : undefined}
      refreshing={loading}
      onRefresh={() => {
        setLatest(undefined);
        void refetch();
        onChanged();
      }}
      onChanged={(next) => {
        setLatest(next);
        onChanged();
      }}
    />
  );
}
