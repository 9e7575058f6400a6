import { notifications } from '@mantine/notifications';
import { type QueryKey, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { fieldErrors } from '../lib/problem';

/**
 * The submit of an add/edit form: saves, refreshes the lists under `invalidate`, says so in a
 * green notification and closes; a failure stays in the form (`error` for the alert, `errors` per
 * field). `ready: false` ignores the submit (a required choice is still missing).
 */
export function useSaveForm<T>({
  save,
  invalidate,
  savedMessage,
  onDone,
  ready = true,
}: {
  save: () => Promise<T>;
  invalidate: QueryKey;
  savedMessage: (saved: T) => string;
  onDone: () => void;
  ready?: boolean;
}) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    setBusy(true);
    setError(undefined);
    try {
      const saved = await save();
      await qc.invalidateQueries({ queryKey: invalidate });
      notifications.show({ color: 'green', message: savedMessage(saved) });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return { busy, error, errors: fieldErrors(error), submit };
}
