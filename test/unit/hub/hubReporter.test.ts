// The HubReporter sending on the caller's thread.
import { reporterCases } from './reporterCases';

reporterCases(undefined);
