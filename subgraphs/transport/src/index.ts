import { runSubgraph } from '../../../lib/subgraph';
import { transport } from './server';

void runSubgraph(transport);
