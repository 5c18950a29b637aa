import type { DepartmentSeed } from '../types';
import { healthSeed } from './health';
import { identitySeed } from './identity';

/** Every store the seed fills, in the order the graph lists its services. */
export const DEPARTMENT_SEEDS: DepartmentSeed[] = [identitySeed, healthSeed];
