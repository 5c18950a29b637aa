import { join } from 'node:path';

/** The applications tables every handling department applies after its own migrations. */
export const APPLICATIONS_MIGRATIONS = join(__dirname, 'migrations');

export { applicationsRoute, type ProcedureHandler } from './route';
export { ApplicationError, type ApplicationRow } from './model';
export { callGateway } from './gateway-client';
export { complete as completeApplication } from './store';
