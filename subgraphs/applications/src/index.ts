import { runSubgraph } from '../../../lib/subgraph';
import { applications } from './server';

void runSubgraph(applications);
