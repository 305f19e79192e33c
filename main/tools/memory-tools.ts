import * as z from 'zod';
import { MARK_END, MARK_START, surfaces } from '../../contract';
import { field } from './fields';
import { tool, id, limit, more, cut, clip, memoryOut, toMemory, type Tool } from './tool';

/** Memory and history tools: remember, recall, correct, forget; conversations and their search. */
export const memoryTools: Tool[] = [

  // ── memory ──
  tool({
    name: 'remember',
    title: 'Remember',
    method: 'memory.add',
    description: 'Keep a fact for later sessions (a preference, a decision, a name). The same fact said again updates the memory instead of adding a second.',
    input: z.object({ text: field('memory.add', 'text'), category: field('memory.add', 'category'), tags: field('memory.add', 'tags') }),
    output: z.object({ memory: memoryOut, action: z.enum(['added', 'updated']), replaced: z.string().nullable() }),
    hints: {},
    async run(call, input) {
      const added = await call('memory.add', { ...input, source: { kind: 'tool' } });
      return { memory: toMemory(added.memory), action: added.action, replaced: added.replaced?.text ?? null };
    },
  }),
  tool({
    name: 'recall',
    title: 'Recall',
    method: 'memory.search',
    description: 'Find what was remembered, by words and by meaning, best first.',
    input: z.object({ query: field('memory.search', 'query'), category: field('memory.search', 'category'), limit: limit(5, 50) }),
    output: z.object({ memories: z.array(memoryOut.extend({ score: z.number() })) }),
    hints: { readOnlyHint: true },
    async run(call, input) {
      const { hits } = await call('memory.search', input);
      return { memories: hits.map((h) => ({ ...toMemory(h.memory), score: h.score })) };
    },
  }),
  tool({
    name: 'update_memory',
    title: 'Correct a memory',
    method: 'memory.update',
    description: 'Correct a memory by id: its text, category or tags. The old text is kept as an earlier version.',
    input: z
      .object({ id: field('memory.update', 'id'), text: field('memory.update', 'text'), category: field('memory.update', 'category'), tags: field('memory.update', 'tags') })
      .refine((x) => x.text !== undefined || x.category !== undefined || x.tags !== undefined, { message: 'nothing to change: give text, category or tags' }),
    output: memoryOut,
    hints: { idempotentHint: true },
    async run(call, input) {
      return toMemory(await call('memory.update', input));
    },
  }),
  tool({
    name: 'forget',
    title: 'Forget',
    method: 'memory.delete',
    description: 'Forget a memory by id: its text, word index and vector.',
    input: z.object({ id: z.number().int() }),
    output: z.object({ forgotten: memoryOut }),
    hints: { destructiveHint: true },
    async run(call, { id }) {
      return { forgotten: toMemory((await call('memory.delete', { id })).deleted) };
    },
  }),
  tool({
    name: 'list_memories',
    title: 'List memories',
    method: 'memory.list',
    description: 'What is remembered, newest first, by category when given; `offset` pages on.',
    input: z.object({ category: field('memory.list', 'category'), limit: limit(20, 200), offset: field('memory.list', 'offset') }),
    output: z.object({ memories: z.array(memoryOut), total: z.number(), categories: z.array(z.object({ name: z.string(), count: z.number() })), more }),
    hints: { readOnlyHint: true },
    async run(call, input) {
      const listed = await call('memory.list', input);
      return { memories: listed.memories.map(toMemory), total: listed.total, categories: listed.categories, more: cut(input.offset + listed.memories.length, listed.total, `call again with offset ${input.offset + listed.memories.length}, or narrow by category`) };
    },
  }),

  // ── history ──
  tool({
    name: 'list_conversations',
    title: 'List conversations',
    method: 'history.conversations',
    description: 'Every conversation Switchboard knows (its sessions, Telegram and Discord chats, Claude Code sessions from outside), newest first. Narrow with `query` (title words), `surface` or `cwd`.',
    input: z.object({ query: z.string().max(200).optional(), surface: z.enum(surfaces).optional(), cwd: z.string().max(4096).optional(), limit: limit(20, 200) }),
    output: z.object({ conversations: z.array(z.object({ id: z.string(), title: z.string(), surface: z.string(), cwd: z.string(), messageCount: z.number(), updatedAt: z.number() })), more }),
    hints: { readOnlyHint: true },
    async run(call, { query, surface, cwd, limit }) {
      const words = query?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
      const all = (await call('history.conversations', {})).filter((c) => (!surface || c.surface === surface) && (!cwd || c.cwd === cwd) && words.every((w) => c.title.toLowerCase().includes(w)));
      return {
        conversations: all.slice(0, limit).map((c) => ({ id: c.id, title: c.title, surface: c.surface, cwd: c.cwd, messageCount: c.messageCount, updatedAt: c.updatedAt })),
        more: cut(limit, all.length, 'raise limit, or narrow with query, surface or cwd'),
      };
    },
  }),
  tool({
    name: 'read_conversation',
    title: 'Read a conversation',
    method: 'history.messages',
    description: 'A page of a conversation’s messages, oldest first; long texts are clipped. `next` is the `after` for the next page.',
    input: z.object({ conversation_id: id, after: z.number().int().min(0).default(0), limit: limit(50, 500) }),
    output: z.object({
      messages: z.array(z.object({ id: z.number(), role: z.string(), kind: z.string(), text: z.string(), createdAt: z.number() })),
      next: z.number().nullable(),
    }),
    hints: { readOnlyHint: true },
    async run(call, { conversation_id, after, limit }) {
      const page = await call('history.messages', { sessionId: conversation_id, after, limit });
      return { messages: page.messages.map((m) => ({ id: m.id, role: m.role, kind: m.kind, text: clip(m.text, 4000)!, createdAt: m.createdAt })), next: page.next };
    },
  }),
  tool({
    name: 'search_history',
    title: 'Search history',
    method: 'history.search',
    description: 'Search every conversation by words and by meaning; each hit names its conversation and message (read around it with read_conversation).',
    input: z.object({ query: field('history.search', 'query'), surface: z.enum(surfaces).optional(), cwd: z.string().max(4096).optional(), limit: limit(10, 100) }),
    output: z.object({ hits: z.array(z.object({ conversationId: z.string(), title: z.string(), messageId: z.number(), role: z.string(), snippet: z.string(), createdAt: z.number() })) }),
    hints: { readOnlyHint: true },
    async run(call, { query, surface, cwd, limit }) {
      const { hits } = await call('history.search', { query, limit, filters: { ...(surface ? { surface: [surface] } : {}), ...(cwd ? { cwd } : {}) } });
      return {
        hits: hits.map((h) => ({ conversationId: h.sessionId, title: h.sessionTitle, messageId: h.messageId, role: h.role, snippet: h.snippet.replaceAll(MARK_START, '').replaceAll(MARK_END, ''), createdAt: h.createdAt })),
      };
    },
  }),
];
