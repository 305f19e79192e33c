import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../errors';
import { liquidjs, renderTemplate, type RenderData } from './template-render';

// Renders template jobs' prompts off the main thread (bundled as dist/main/template-worker.cjs): one filter
// step of LiquidJS runs to its end, so a template that sorts millions of characters would otherwise hold the
// event loop for seconds. The main thread gives each render a deadline and terminates this thread past it.
parentPort!.on('message', (message: { id: number; data: RenderData }) => {
  renderTemplate(message.data).then(
    (rendered) => parentPort!.postMessage({ id: message.id, rendered }),
    (error: unknown) => parentPort!.postMessage({ id: message.id, error: errorMessage(error) }),
  );
});
// Loaded before the first render is sent: a render's deadline is its own time, not the worker's start.
void liquidjs().then(() => parentPort!.postMessage('ready'));
