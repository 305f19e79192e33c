import type { HandlersOf } from '../ipc/router';
import type { TaskService } from './task-service';

/** Background tasks: who asks decides the mode it may run in and where its session belongs. */
export function tasksHandlers(tasks: TaskService): HandlersOf<'tasks'> {
  return {
    'tasks.start': (input, ctx) => tasks.launch(input, ctx),
    'tasks.list': ({ limit }) => tasks.list(limit),
    'tasks.get': ({ id, waitMs }) => tasks.wait(id, waitMs),
  };
}
