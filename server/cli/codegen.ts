/** `npm run codegen`: writes dashboard/src/api/generated/graphql.ts (server/graphql/dashboard-types.ts). */
import '../graphql/graphile-env.ts'; // first: sets GRAPHILE_ENV before grafast loads
import { writeFile } from 'node:fs/promises';
import { DOCUMENTS } from '../../dashboard/src/api/documents.ts';
import { dashboardTypesSource, GENERATED_TYPES_FILE } from '../graphql/dashboard-types.ts';

await writeFile(GENERATED_TYPES_FILE, await dashboardTypesSource(DOCUMENTS));
console.log(`wrote ${GENERATED_TYPES_FILE} (${DOCUMENTS.length} documents)`);
