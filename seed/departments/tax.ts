import type { DepartmentSeed } from '../types';

// Placeholder until the tax subgraph lands; replaced by its real generator.
export const taxSeed: DepartmentSeed = { service: 'tax', tables: {}, shared: () => ({}), person: () => ({}) };
