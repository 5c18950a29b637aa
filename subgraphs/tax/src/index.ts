import { runSubgraph } from '../../../lib/subgraph';
import { tax } from './server';

void runSubgraph(tax);
