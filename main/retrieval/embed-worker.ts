import { parentPort } from 'node:worker_threads';
import { BuiltinEmbedder } from './embeddings';

// Embeds batches for the built-in provider off the main thread, so a big import's embedding
// overlaps its database writes (and the event loop stays free meanwhile).
const embedder = new BuiltinEmbedder();

parentPort?.on('message', ({ id, texts }: { id: number; texts: string[] }) => {
  const vectors = embedder.embedSync(texts);
  const flat = new Float32Array(texts.length * BuiltinEmbedder.DIMENSIONS);
  vectors.forEach((v, i) => flat.set(v, i * BuiltinEmbedder.DIMENSIONS));
  parentPort!.postMessage({ id, flat }, [flat.buffer]);
});
