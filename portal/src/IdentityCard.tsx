import type { RefObject } from 'react';
import { age, formatDate, humanize } from './format';
import type { Citizen } from './records';

/** The civil registry's card: who the citizen is, where they live, and their household. */
export function IdentityCard({ citizen, headingRef }: { citizen: Citizen; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const others = citizen.household?.members.filter((member) => member.id !== citizen.id) ?? [];
  return (
    <section className="identity card" aria-labelledby="identity-heading">
      <p className="eyebrow">Civil registry</p>
      <h1 id="identity-heading" ref={headingRef} tabIndex={-1}>
        {citizen.name.full}
      </h1>
      <dl className="facts">
        <div>
          <dt>Citizen id</dt>
          <dd>{citizen.id}</dd>
        </div>
        <div>
          <dt>National id</dt>
          <dd className="mono">{citizen.nationalId}</dd>
        </div>
        <div>
          <dt>Born</dt>
          <dd>
            {formatDate(citizen.birthDate)} (age {age(citizen.birthDate)})
          </dd>
        </div>
        {citizen.sex && (
          <div>
            <dt>Sex</dt>
            <dd>{humanize(citizen.sex)}</dd>
          </div>
        )}
        {citizen.address && (
          <div className="wide">
            <dt>Address</dt>
            <dd>
              {citizen.address.line1}, {citizen.address.city}, {citizen.address.province} {citizen.address.postalCode}
            </dd>
          </div>
        )}
        {others.length > 0 && (
          <div className="wide">
            <dt>Household</dt>
            <dd>
              <ul className="inline-list">
                {others.map((member) => (
                  <li key={member.id}>
                    {member.name.full} <span className="muted">(born {formatDate(member.birthDate)})</span>
                  </li>
                ))}
              </ul>
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}
