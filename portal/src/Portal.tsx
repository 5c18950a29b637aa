import { useQuery } from '@apollo/client/react';
import { useEffect, useMemo, useRef } from 'react';
import { CitizenPortalDocument } from '../../schema/operations/generated/graphql';
import { AccessLog } from './AccessLog';
import { Apply } from './Apply';
import { DepartmentSection } from './DepartmentSection';
import { DEPARTMENTS } from './departments';
import { otherProblems, requestFailure, sectionProblems } from './errors';
import { IdentityCard } from './IdentityCard';
import { sectionGroups, timeline } from './records';
import type { Session } from './session';
import { Timeline } from './Timeline';
import { useView } from './view';

/**
 * The signed-in citizen's page: one request (the registered CitizenPortal operation) for the
 * identity card, every department's records and the access log. A department that did not
 * answer shows why in its own section; the others show their records. `#apply` shows the
 * "Apply" page instead (Apply.tsx), which loads nothing of this page.
 */
export function Portal({ session, onSignOut }: { session: Session; onSignOut: (reason?: string) => void }) {
  const view = useView();
  const applying = view.page === 'apply';
  const { data, error, loading, refetch } = useQuery(CitizenPortalDocument, {
    variables: { id: session.citizenId },
    skip: applying,
    // Partial data is data: a department that is down must not blank the page.
    errorPolicy: 'all',
    fetchPolicy: 'network-only',
    notifyOnNetworkStatusChange: true,
  });
  const citizen = data?.citizen ?? null;
  const failure = loading ? undefined : requestFailure(error, Boolean(data?.citizen));

  // A refused token (expired, revoked key...) ends the session: back to sign-in, saying why.
  const signedOut = failure?.kind === 'signed-out' ? failure.message : undefined;
  useEffect(() => {
    if (signedOut) onSignOut(signedOut);
  }, [signedOut, onSignOut]);

  const groups = useMemo(() => (citizen ? DEPARTMENTS.map((d) => sectionGroups(citizen, d.key)) : []), [citizen]);
  const records = useMemo(() => timeline(groups), [groups]);
  const problems = sectionProblems(error);
  const others = otherProblems(error);
  const missing = citizen ? DEPARTMENTS.filter((_, i) => groups[i] === null) : [];

  // After loading, focus moves to the page's heading so a screen reader starts at the top.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (!loading) heading.current?.focus();
  }, [loading]);

  const pages = (
    <nav aria-label="Portal" className="pages">
      <a href="#records" aria-current={applying ? undefined : 'page'}>
        My records
      </a>
      <a href="#apply" aria-current={applying ? 'page' : undefined}>
        Apply
      </a>
    </nav>
  );

  if (applying) {
    return (
      <>
        <a
          className="skip-link"
          href="#apply-heading"
          onClick={(event) => {
            // The address keeps naming the page (and the application followed).
            event.preventDefault();
            document.getElementById('apply-heading')?.focus();
          }}
        >
          Skip to the application
        </a>
        <header className="topbar">
          <p className="brand">Citizen Graph <span>Citizen portal</span></p>
          {pages}
          <div className="account">
            <span>
              Signed in as <strong>{session.citizenId}</strong>
            </span>
            <button type="button" onClick={() => onSignOut()}>
              Sign out
            </button>
          </div>
        </header>
        <main id="main">
          <Apply session={session} applicationId={view.applicationId} />
        </main>
        <footer className="footer">
          <p>
            Every read of your data is recorded in a tamper-evident access trail, including each piece of evidence a department obtains for
            your application. Dates are in UTC.
          </p>
        </footer>
      </>
    );
  }

  return (
    <>
      <a className="skip-link" href="#main">Skip to your records</a>
      <header className="topbar">
        <p className="brand">Citizen Graph <span>Citizen portal</span></p>
        {pages}
        <div className="account">
          <span>
            Signed in as <strong>{citizen?.name.full ?? session.citizenId}</strong>
          </span>
          <button type="button" onClick={() => onSignOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" aria-busy={loading}>
        {loading ? (
          <div className="loading" role="status">
            <span className="spinner" aria-hidden="true" />
            Loading your records from every department…
          </div>
        ) : failure && failure.kind !== 'signed-out' ? (
          <div className="notice notice-error page-error" role="alert">
            <h1 ref={heading} tabIndex={-1}>
              Your records could not be loaded
            </h1>
            <p>{failure.message}</p>
            {failure.kind === 'outdated' ? (
              <button type="button" className="primary" onClick={() => window.location.reload()}>
                Reload the page
              </button>
            ) : (
              <button type="button" className="primary" onClick={() => void refetch()}>
                Try again
              </button>
            )}
          </div>
        ) : !citizen ? (
          <div className="notice notice-error page-error" role="alert">
            <h1 ref={heading} tabIndex={-1}>
              No record for {session.citizenId}
            </h1>
            <p>The civil registry has no citizen with this id. Sign out and sign in with your own id.</p>
            <button type="button" className="primary" onClick={() => onSignOut()}>
              Sign out
            </button>
          </div>
        ) : (
          <>
            <IdentityCard citizen={citizen} headingRef={heading} />
            {(missing.length > 0 || others.length > 0) && (
              <div className="notice notice-warning" role="status">
                <p>
                  <strong>Some of your records are missing from this page.</strong>{' '}
                  {missing.length > 0 && `${missing.map((d) => d.name).join(', ')}: see the section below. `}
                  Everything else is up to date.
                </p>
                {others.map((problem, i) => (
                  <p key={i}>{problem.message}</p>
                ))}
                <button type="button" onClick={() => void refetch()}>
                  Try again
                </button>
              </div>
            )}
            <nav aria-label="On this page" className="toc">
              <ul>
                {DEPARTMENTS.map((d) => (
                  <li key={d.key}>
                    <a href={`#${d.key}`}>{d.name}</a>
                  </li>
                ))}
                <li>
                  <a href="#timeline">Timeline</a>
                </li>
                <li>
                  <a href="#access-log">Who read my data</a>
                </li>
              </ul>
            </nav>
            <div className="departments">
              {DEPARTMENTS.map((d, i) => (
                <DepartmentSection key={d.key} department={d} groups={groups[i]} problem={problems[d.key]} onRetry={() => void refetch()} />
              ))}
            </div>
            <Timeline records={records} missing={missing.map((d) => d.name)} />
            <AccessLog log={citizen.accessLog} me={citizen.id} />
          </>
        )}
      </main>
      <footer className="footer">
        <p>
          Every read of your data is recorded in a tamper-evident access trail, including this page. Dates are in UTC.
        </p>
      </footer>
    </>
  );
}
