'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { createTaskAction } from './actions';
import { useTRPC } from './providers';

export function TaskButtons() {
  const trpc = useTRPC();
  const router = useRouter();
  const create = useMutation(trpc.tasks.create.mutationOptions());
  const createByAction = useMutation({ mutationFn: createTaskAction });
  const createAndOpen = useMutation(
    trpc.tasks.create.mutationOptions({ onSuccess: () => router.push('/tasks') }),
  );
  return (
    <>
      <button type="button" onClick={() => create.mutate({ title: 'Write docs' })}>
        Create (route handler)
      </button>
      <button type="button" onClick={() => createByAction.mutate({ title: 'Call Alice' })}>
        Create (Server Action)
      </button>
      <button type="button" onClick={() => createAndOpen.mutate({ title: 'Ship it' })}>
        Create and open the list
      </button>
      <button type="button" onClick={() => router.push('/tasks')}>
        Go to the list
      </button>
    </>
  );
}
