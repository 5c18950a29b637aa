import type { DepartmentSeed } from '../../../seed/types';

export const identitySeed: DepartmentSeed = {
  service: 'identity',
  tables: {
    households: ['id', 'line1', 'city', 'province', 'postal_code'],
    citizens: ['id', 'national_id', 'given_name', 'family_name', 'birth_date', 'sex', 'household_id'],
  },
  shared: () => ({}),
  person: (p) => ({
    households: p.firstInHousehold
      ? [[p.household.id, p.household.line1, p.household.city.city, p.household.city.province, p.household.city.postal]]
      : [],
    citizens: [[p.id, p.nationalId, p.givenName, p.familyName, p.birthDate, p.sex, p.household.id]],
  }),
};
