import { formatDate } from './format';
import type { RecordView } from './records';

/** One record: its title, when, and its details. */
export function RecordItem({ record, badge }: { record: RecordView; badge?: string }) {
  return (
    <li className="record">
      <div className="record-head">
        <span className="record-title">{record.title}</span>
        <time dateTime={record.occurredAt}>{formatDate(record.occurredAt)}</time>
      </div>
      {badge && <span className={`badge badge-${record.department.toLowerCase()}`}>{badge}</span>}
      {record.details.length > 0 && (
        <dl className="details">
          {record.details.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </li>
  );
}
