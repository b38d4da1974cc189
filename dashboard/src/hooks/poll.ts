/** How often pages with live figures refetch (new calls appear without a reload). */
export const POLL_MS = 5_000;
