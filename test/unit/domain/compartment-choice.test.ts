import { describe, expect, it } from 'vitest';
import { chooseCompartment, type Candidate } from '../../../src/domain/compartment-choice.js';

const free: Candidate[] = [
  { id: 1, size: 'L', low: false }, { id: 2, size: 'S', low: true }, { id: 3, size: 'M', low: false },
  { id: 4, size: 'S', low: false }, { id: 5, size: 'M', low: true },
];

describe('compartment choice', () => {
  it('takes the smallest compartment the document fits in, keeping low ones for last', () => {
    expect(chooseCompartment(free, 'S', false)).toBe(4);
    expect(chooseCompartment(free, 'M', false)).toBe(3);
    expect(chooseCompartment(free, 'L', false)).toBe(1);
  });

  it('an accessible authorization gets a low compartment, or none', () => {
    expect(chooseCompartment(free, 'S', true)).toBe(2);
    expect(chooseCompartment(free, 'M', true)).toBe(5);
    expect(chooseCompartment(free, 'L', true)).toBeUndefined();
  });

  it('no free compartment that fits: none', () => {
    expect(chooseCompartment([{ id: 1, size: 'S', low: false }], 'M', false)).toBeUndefined();
    expect(chooseCompartment([], 'S', false)).toBeUndefined();
  });
});
