import type { DepartmentSeed } from '../types';
import { educationSeed } from '../../subgraphs/education/seed';
import { healthSeed } from '../../subgraphs/health/seed';
import { identitySeed } from '../../subgraphs/identity/seed';
import { socialSecuritySeed } from '../../subgraphs/social-security/seed';
import { taxSeed } from '../../subgraphs/tax/seed';
import { transportSeed } from '../../subgraphs/transport/seed';

/** Every store the seed fills, in the order the graph lists its services. */
export const DEPARTMENT_SEEDS: DepartmentSeed[] = [identitySeed, healthSeed, educationSeed, transportSeed, taxSeed, socialSecuritySeed];
