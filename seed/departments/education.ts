import type { DepartmentSeed } from '../types';

// Placeholder until the education subgraph lands; replaced by its real generator.
export const educationSeed: DepartmentSeed = { service: 'education', tables: {}, shared: () => ({}), person: () => ({}) };
