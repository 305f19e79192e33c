import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboxItem, InboxPage } from '../../contract';
import type { Core } from '../core';
import { desktopCaller } from '../ipc/router';
import { allow, member, startDiscord, type DiscordHarness } from '../testing/discord-harness';
import type { DiscordMessage } from '../testing/fake-discord';
import { nextEvent } from '../testing/wait';

// The inbox with Discord as the phone: the real discord.js client against the Discord stand-in, the real CLI
// against the Anthropic stand-in, the MCP SDK's own client for notify_user (mirrors the Telegram cases in inbox.test.ts).
const SERVER = { host: '127.0.0.1', port: 0, allowHosts: [], staticDir: null, required: true };
let t: DiscordHarness | null = null;
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close().catch(() => {});
  await t?.close();
  t = null;
});

async function call<T>(core: Core, method: string, input: unknown): Promise<T> {
  const result = await core.router.call(method, input, desktopCaller);
  if (!result.ok) throw new Error(`${method}: ${result.error.message}`);
  return result.value as T;
}

const changed = (core: Core, match: (item: InboxItem) => boolean) => nextEvent(core.events, 'inbox.changed', (p) => !!p.item && match(p.item));
const button = (m: DiscordMessage, label: string) => m.components.flatMap((r) => r.components).find((b) => b.label === label)!;

describe('the inbox with Discord', { timeout: 90_000 }, () => {
  it('mirrors a question from a window’s session: answered by a Discord button, it settles at once in the inbox', async () => {
    t = await startDiscord();
    await allow(t);
    const { core, api } = t.harness;
    const { dc } = t;
    // A question from a window's session reaches the people allowed at once.
    await call(core, 'settings.set', { key: 'discord.questionDelaySeconds', value: 0 });
    const session = await call<{ id: string }>(core, 'sessions.create', { title: 'Deploy' });
    api.reply({ kind: 'tool', name: 'Bash', input: { command: 'touch deployed.txt', description: 'deploy' } }, { kind: 'text', text: 'deployed' });
    const opened = changed(core, (i) => i.kind === 'question' && i.state === 'open');
    const turn = await call<{ id: string }>(core, 'sessions.send', { id: session.id, text: 'deploy it' });
    const item = (await opened).item!;
    expect(item).toMatchObject({ title: 'Claude asks to use Bash', sessionId: session.id, link: `#/sessions/${session.id}`, read: false });
    expect((await call<InboxPage>(core, 'inbox.list', { filter: 'needs_you' })).items.map((i) => i.id)).toEqual([item.id]);

    const card = await dc.until(() => dc.in(dc.dm(member).id).find((m) => m.components.length && m.content.includes('touch deployed.txt')), 30_000, 'the card in the DMs');
    const settled = changed(core, (i) => i.id === item.id && i.state === 'settled');
    dc.press(member, card.id, button(card, 'Allow once').custom_id);
    const after = await settled;
    expect(after.item!.outcome).toBe('Allowed on Discord.');
    expect(after.counts.needsYou).toBe(0);
    const page = await call<InboxPage>(core, 'inbox.list', { filter: 'all' });
    expect(page.items.find((i) => i.id === item.id)).toMatchObject({ state: 'settled', outcome: 'Allowed on Discord.' });
    expect((await call<InboxPage>(core, 'inbox.list', { filter: 'open' })).items.find((i) => i.id === item.id)).toBeUndefined();
    // The turn went on with the answer from Discord.
    expect(await t.harness.turnEnded(turn.id)).toMatchObject({ status: 'done', resultText: 'deployed' });
  });

  it('keeps a note from notify_user in the inbox and brings it to Discord; the tool says where it went', async () => {
    t = await startDiscord({ core: { server: SERVER } });
    await allow(t);
    const { core } = t.harness;
    const { dc } = t;
    const token = (await call<{ token: string }>(core, 'system.rotateToken', { scope: 'mcp' })).token;
    const client = new Client({ name: 'ide', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${core.server!.address!.port}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    clients.push(client);
    const noted = changed(core, (i) => i.kind === 'note' && i.title === 'Build');
    const result = await client.callTool({ name: 'notify_user', arguments: { title: 'Build', text: 'The build is green.' } });
    expect((result.structuredContent as { delivered: string[] }).delivered).toContain('discord');
    expect((await noted).item).toMatchObject({ kind: 'note', state: 'open', read: false, text: 'The build is green.', actor: expect.stringMatching(/^mcp:ide@/) });
    const note = await dc.until(() => dc.in(dc.dm(member).id).find((m) => m.content.includes('The build is green.')), 20_000, 'the note in the DMs');
    expect(note.content).toContain('Build');
    expect((await call<InboxPage>(core, 'inbox.list', { filter: 'unread' })).items.map((i) => [i.kind, i.title])).toEqual([['note', 'Build']]);
  });
});
