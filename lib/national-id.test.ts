import { makeNationalId, nationalIdCheckDigit, nationalIdProblem } from './national-id';

describe('national ids (ISO 7064 MOD 11-2)', () => {
  it('computes the published check characters', () => {
    // Examples from the GB 11643-1999 standard.
    expect(nationalIdCheckDigit('11010519491231002')).toBe('X');
    expect(nationalIdCheckDigit('44052418800101001')).toBe('4');
  });

  it('accepts a made id and names what is wrong with a bad one', () => {
    const id = makeNationalId('110101', '1990-03-07', 123);
    expect(nationalIdProblem(id)).toBeNull();
    expect(nationalIdProblem(id.slice(0, 17))).toMatch(/17 digits/);
    expect(nationalIdProblem(id.slice(0, 17) + (id[17] === '0' ? '1' : '0'))).toMatch(/check character/);
    expect(nationalIdProblem('110101199013070012')).toMatch(/birth date/);
  });
});
