import { runSubgraph } from '../../../lib/subgraph';
import { health } from './server';

void runSubgraph(health);
