import { useState } from 'react';
import { departmentByCode } from './departments';
import { formatDate, plural } from './format';
import type { RecordView } from './records';

const PAGE = 30;

/** Every record from every department on one line of time, newest first, by year. */
export function Timeline({ records, missing }: { records: RecordView[]; missing: string[] }) {
  const [shown, setShown] = useState(PAGE);
  const visible = records.slice(0, shown);
  const years = new Map<string, RecordView[]>();
  for (const record of visible) {
    const year = record.occurredAt.slice(0, 4);
    years.set(year, [...(years.get(year) ?? []), record]);
  }
  const departments = new Set(records.map((r) => r.department)).size;
  return (
    <section id="timeline" className="card timeline" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <p className="summary">
        {plural(records.length, 'record')} from {plural(departments, 'department')}, newest first.
        {missing.length > 0 && <strong> Not included: {missing.join(', ')} (unavailable).</strong>}
      </p>
      {[...years].map(([year, list]) => (
        <div key={year} className="year">
          <h3>{year}</h3>
          <ol className="events">
            {list.map((record) => {
              const department = departmentByCode(record.department);
              return (
                <li key={record.id} className={`event event-${record.department.toLowerCase()}`}>
                  <time dateTime={record.occurredAt}>{formatDate(record.occurredAt)}</time>
                  <span className={`badge badge-${record.department.toLowerCase()}`}>{department?.name ?? record.department}</span>
                  <span className="event-title">{record.title}</span>
                </li>
              );
            })}
          </ol>
        </div>
      ))}
      {shown < records.length && (
        <button type="button" className="link-button" onClick={() => setShown(shown + PAGE * 2)}>
          Show {Math.min(PAGE * 2, records.length - shown)} older records
        </button>
      )}
    </section>
  );
}
