import { runSubgraph } from '../../../lib/subgraph';
import { education } from './server';

void runSubgraph(education);
