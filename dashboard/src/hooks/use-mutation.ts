/** The shared engine of the mutation hooks: run, pending, error. */
import { useCallback, useState } from 'react';
import { ApiError, request } from '../api/client.ts';
import type { TypedDocument } from '../api/scalars.ts';

export interface MutationState<TData, TVariables> {
  run(variables: TVariables): Promise<TData | undefined>;
  pending: boolean;
  error: ApiError | undefined;
}

export function useMutation<TData, TVariables extends Record<string, unknown>>(
  doc: TypedDocument<TData, TVariables>,
): MutationState<TData, TVariables> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = useCallback(
    async (variables: TVariables) => {
      setPending(true);
      setError(undefined);
      try {
        return await request(doc, variables);
      } catch (caught) {
        setError(caught instanceof ApiError ? caught : new ApiError('Unexpected error.', 'UNKNOWN'));
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [doc],
  );
  return { run, pending, error };
}
