import type { DepartmentSeed } from '../types';
import { educationSeed } from './education';
import { healthSeed } from './health';
import { identitySeed } from './identity';
import { socialSecuritySeed } from './social-security';
import { taxSeed } from './tax';
import { transportSeed } from './transport';

/** Every store the seed fills, in the order the graph lists its services. */
export const DEPARTMENT_SEEDS: DepartmentSeed[] = [identitySeed, healthSeed, educationSeed, transportSeed, taxSeed, socialSecuritySeed];
