import { runSubgraph } from '../../../lib/subgraph';
import { identity } from './server';

void runSubgraph(identity);
