import type { Citizen } from './records';
import { departmentByCode } from './departments';
import { formatDateTime, humanize } from './format';

type Entry = Citizen['accessLog']['edges'][number]['node'];

/** The services a read returned data from, in the citizen's words. */
const SERVICES: Record<string, string> = {
  identity: 'Civil registry',
  health: 'Health',
  education: 'Education',
  transport: 'Transport',
  tax: 'Tax',
  'social-security': 'Social security',
  audit: 'Access log',
};

function who(entry: Entry, me: string): string {
  if (entry.role === 'CITIZEN') return entry.accessorId === me ? 'You' : `Citizen ${entry.accessorId}`;
  if (entry.role === 'OFFICER') {
    const department = departmentByCode(entry.department)?.name ?? (entry.department ? humanize(entry.department) : 'A department');
    return `${department} officer ${entry.accessorId}`;
  }
  return `Auditor ${entry.accessorId}`;
}

/** "Who accessed my data": the access trail's records of reads of this citizen, newest first. */
export function AccessLog({ log, me }: { log: Citizen['accessLog']; me: string }) {
  const entries = log.edges.map((edge) => edge.node);
  return (
    <section id="access-log" className="card access-log" aria-labelledby="access-log-heading">
      <h2 id="access-log-heading">Who accessed my data</h2>
      <p className="summary">
        Each time anyone, you included, reads your records, the state's access trail records who, when, why and what. This visit is
        recorded too and appears here next time.
      </p>
      {entries.length === 0 ? (
        <p>Nobody has read your records yet.</p>
      ) : (
        <ol className="accesses">
          {entries.map((entry) => (
            <li key={entry.id} className="access">
              <div className="record-head">
                <span className="record-title">{who(entry, me)}</span>
                <time dateTime={entry.occurredAt}>{formatDateTime(entry.occurredAt)}</time>
              </div>
              <dl className="details">
                <div>
                  <dt>Read</dt>
                  <dd>{entry.services.map((s) => SERVICES[s] ?? s).join(', ') || 'Nothing'}</dd>
                </div>
                <div>
                  <dt>Why</dt>
                  <dd>{entry.purposeMeaning ?? entry.purpose ?? 'Not stated'}</dd>
                </div>
                <div>
                  <dt>Through</dt>
                  <dd>{entry.operationName ?? 'an unnamed request'}</dd>
                </div>
                {entry.outcome === 'PARTIAL' && (
                  <div>
                    <dt>Outcome</dt>
                    <dd>Partial (some sections were not returned)</dd>
                  </div>
                )}
              </dl>
            </li>
          ))}
        </ol>
      )}
      {log.pageInfo.hasNextPage && <p className="muted">Showing the newest {entries.length} reads.</p>}
    </section>
  );
}
