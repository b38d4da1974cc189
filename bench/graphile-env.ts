/**
 * Import first in the benchmark's entry points: the benchmark measures what
 * production runs, so Grafast runs in its production mode (development mode
 * adds plan checks that slow planning). Set here once, explicitly, it is
 * inherited by the benchmark's child processes and worker threads, and none
 * of them prints Grafast's "GRAPHILE_ENV is not set" notice.
 */
process.env.GRAPHILE_ENV ??= 'production';
