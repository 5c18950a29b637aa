import { useId, useState } from 'react';
import type { DepartmentInfo } from './departments';
import type { Problem } from './errors';
import { plural } from './format';
import type { RecordGroup } from './records';
import { RecordItem } from './RecordItem';

/** How many records of each kind show before "Show all". */
const FIRST = 3;

/**
 * One department's section: its record kinds with the newest few of each, or, when the
 * department did not answer, why, so the citizen knows the gap is not an empty record.
 */
export function DepartmentSection({
  department,
  groups,
  problem,
  onRetry,
}: {
  department: DepartmentInfo;
  groups: RecordGroup[] | null;
  problem?: Problem;
  onRetry: () => void;
}) {
  const headingId = `${department.key}-heading`;
  const total = groups?.reduce((n, g) => n + g.records.length, 0) ?? 0;
  return (
    <section id={department.key} className={`card department department-${department.department.toLowerCase()}`} aria-labelledby={headingId}>
      <h2 id={headingId}>{department.name}</h2>
      {groups === null ? (
        <div className="notice notice-warning unavailable" role="status">
          <p>
            <strong>{department.name} records are unavailable right now.</strong>
          </p>
          <p>
            {problem?.message ?? `The ${department.name.toLowerCase()} department sent no records.`} Your other records are shown;
            try again later.
          </p>
          {problem?.code !== 'FORBIDDEN' && (
            <button type="button" onClick={onRetry}>
              Try again
            </button>
          )}
        </div>
      ) : (
        <>
          <p className="summary">{total === 0 ? 'No records.' : plural(total, 'record') + (groups.some((g) => g.more) ? ' (the newest of each kind)' : '')}</p>
          {groups
            .filter((g) => g.records.length > 0)
            .map((g) => (
              <Group key={g.label} group={g} />
            ))}
        </>
      )}
    </section>
  );
}

function Group({ group }: { group: RecordGroup }) {
  const [open, setOpen] = useState(false);
  const listId = useId();
  const shown = open ? group.records : group.records.slice(0, FIRST);
  const count = `${group.records.length}${group.more ? '+' : ''}`;
  return (
    <div className="group">
      <h3>
        {group.label} <span className="count">{count}</span>
      </h3>
      <ul id={listId} className="records">
        {shown.map((record) => (
          <RecordItem key={record.id} record={record} />
        ))}
      </ul>
      {group.records.length > FIRST && (
        <button type="button" className="link-button" aria-expanded={open} aria-controls={listId} onClick={() => setOpen(!open)}>
          {open ? `Show the newest ${FIRST}` : `Show all ${group.records.length} ${group.label.toLowerCase()}`}
        </button>
      )}
    </div>
  );
}
