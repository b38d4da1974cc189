/**
 * Import first (before anything that loads grafast): grafast reads
 * GRAPHILE_ENV once, when it is loaded. Outside production we opt in to its
 * development mode (extra plan checks and clearer errors), as the Graphile
 * docs recommend; a GRAPHILE_ENV set in the environment or .env wins.
 */
import { loadDotEnv } from '../../kernel/config.ts';

loadDotEnv();
process.env.GRAPHILE_ENV ??= process.env.NODE_ENV === 'production' ? 'production' : 'development';
