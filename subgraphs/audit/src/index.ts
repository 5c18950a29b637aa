import { runSubgraph } from '../../../lib/subgraph';
import { audit } from './server';

void runSubgraph(audit);
