/** What one sample of an ingested run is. A leaf module: the CLI defines `--group-by` from it. */
export const GROUP_BY = ['session', 'task', 'day', 'model'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
