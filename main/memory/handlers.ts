import type { HandlersOf } from '../ipc/router';
import type { EmbeddingService } from '../retrieval/embedding-service';
import type { MemoryService } from './memory-service';

export function memoryHandlers(memory: MemoryService, embeddings: EmbeddingService): HandlersOf<'memory'> {
  return {
    'memory.list': (input) => memory.list(input),
    'memory.search': ({ query, category, limit }) => memory.search(query, category, limit),
    // Who added it is the caller, whatever the request says.
    'memory.add': (input, ctx) => memory.add({ ...input, source: { ...input.source, actor: ctx.actor } }),
    'memory.update': ({ id, ...patch }) => memory.update(id, patch),
    'memory.delete': ({ id }) => ({ deleted: memory.delete(id) }),
    'memory.restore': ({ memory: m }) => memory.restore(m),
    'memory.versions': ({ id }) => memory.versions(id),
    'memory.export': () => memory.export(),
    'memory.import': ({ data }) => memory.import(data.memories.map((m) => ({ text: m.text, category: m.category, tags: m.tags, source: m.source }))),
    'memory.indexStatus': () => embeddings.status(),
    'memory.setEmbeddingKey': ({ key }) => ({ stored: embeddings.setKey(key) }),
  };
}
