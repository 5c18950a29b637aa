import { runSubgraph } from '../../../lib/subgraph';
import { socialSecurity } from './server';

void runSubgraph(socialSecurity);
