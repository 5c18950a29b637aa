import type { DepartmentSeed } from '../types';

// Placeholder until the transport subgraph lands; replaced by its real generator.
export const transportSeed: DepartmentSeed = { service: 'transport', tables: {}, shared: () => ({}), person: () => ({}) };
