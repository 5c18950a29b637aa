import type { DepartmentSeed } from '../types';

// Placeholder until the social-security subgraph lands; replaced by its real generator.
export const socialSecuritySeed: DepartmentSeed = { service: 'social-security', tables: {}, shared: () => ({}), person: () => ({}) };
