import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { claudeEnv } from '../main/testing/claude-harness';
import { FakeAnthropic, userTexts } from '../main/testing/fake-anthropic';
import { FakeTelegram, type FakeUser } from '../main/testing/fake-telegram';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { htmlToPlain } from '../main/surfaces/telegram/telegram-html';
import { benchCore } from './bench-core';
import { maxWithin, percentile, type BenchGroup, type Figure } from './figures';

const CHATS = 20;
/** Each answer streams in this many pieces, 60 ms apart: about a second and a half of edits. */
const CHUNKS = 25;

/** CPU time (user + system) the processes have used so far, from /proc (Linux; 0 elsewhere). */
function cpuMs(pids: number[]): number {
  const tick = 10; // ms per clock tick (USER_HZ is 100 on Linux)
  return pids.reduce((sum, pid) => {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return sum + (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      return sum;
    }
  }, 0);
}

const answerTo = (text: string) => `Answer to ${text}: ${Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ')}`;

/**
 * 20 chats writing at once to the real bot stack (grammY polling a Bot API stand-in, the chat bridge,
 * the real claude CLI against the Anthropic stand-in), sessions warm: how fast the first text shows,
 * whether every reply arrives whole and once, and how often a chat is edited.
 */
export const telegramGroup: BenchGroup = {
  name: 'telegram',
  description: `${CHATS} chats at once through grammY, the chat bridge and the real CLI`,
  async run(): Promise<Figure[]> {
    const dir = makeTempDir('switchboard-bench-telegram-');
    const api = new FakeAnthropic();
    await api.start();
    const tg = await new FakeTelegram().start();
    api.respond((request) => ({ kind: 'text', text: answerTo(userTexts(request).at(-1) ?? ''), chunks: CHUNKS, chunkDelayMs: 60 }));
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    const core = await benchCore(path.join(dir, 'data'), {
      env: { ...claudeEnv(api.url, home), SWITCHBOARD_TELEGRAM_TOKEN: tg.token, SWITCHBOARD_TELEGRAM_API_ROOT: tg.url },
      freeMemoryMb: () => 100_000,
    });
    try {
      core.settings.set({ key: 'sessions.maxProcesses', value: CHATS + 2 });
      await tg.until(() => core.chats.telegram.status().state === 'connected', 20_000, 'the bot');
      const users: FakeUser[] = Array.from({ length: CHATS }, (_, i) => ({ id: 5000 + i, first_name: `User ${i}` }));
      for (const user of users) {
        const { pairing } = core.chats.telegram.access.requestPairing(String(user.id), user.first_name, String(user.id));
        core.chats.telegram.access.answer(pairing.code, true);
      }
      const replied = (user: FakeUser, text: string) => tg.chat(user.id).some((m) => htmlToPlain(m.text) === answerTo(text));
      // Warm: every chat's session and CLI process is up before the measured round.
      users.forEach((u) => tg.send(u, 'warm up'));
      await tg.until(() => users.every((u) => replied(u, 'warm up')), 120_000, 'the warm-up replies');
      // One chat alone first: the same path without 19 other CLIs sharing the machine.
      const singles: number[] = [];
      for (let i = 0; i < 5; i++) {
        const before = tg.calls.length;
        const at = Date.now();
        tg.send(users[0]!, `alone ${i}`);
        await tg.until(() => replied(users[0]!, `alone ${i}`), 30_000, 'the single reply');
        const first = tg.calls.slice(before).find((c) => c.method === 'sendMessage' && c.status === 200);
        if (first) singles.push(first.at - at);
        await new Promise((r) => setTimeout(r, 1200));
      }
      const single = percentile(singles, 50);
      // The warm-up's final edits go out at the chat's pace: let them land before measuring.
      await new Promise((r) => setTimeout(r, 2500));
      const callsBefore = tg.calls.length;
      const sessions = core.sessions.list().filter((x) => x.pid);
      const pids = sessions.map((x) => x.pid!);
      const cliCpuBefore = cpuMs(pids);
      const cpuBefore = new Map(sessions.map((x) => [x.id, cpuMs([x.pid!])]));
      // When Claude's first text reached the core, per session: the part of the wait that is the CLI's,
      // and the CPU its CLI used until then (time shared with 19 others does not count in it).
      const firstDelta = new Map<string, number>();
      const cpuToFirst: number[] = [];
      const off = core.events.on('sessions.stream', ({ sessionId, item }) => {
        if (item.kind !== 'text_delta' || firstDelta.has(sessionId)) return;
        firstDelta.set(sessionId, Date.now());
        const pid = sessions.find((x) => x.id === sessionId)?.pid;
        if (pid) cpuToFirst.push(cpuMs([pid]) - cpuBefore.get(sessionId)!);
      });
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      const sentAt = new Map<number, number>();
      for (const u of users) {
        sentAt.set(u.id, Date.now());
        tg.send(u, `question ${u.id}`);
      }
      await tg.until(() => users.every((u) => replied(u, `question ${u.id}`)), 60_000, 'every reply').catch(() => undefined);
      // Let any late duplicate arrive before counting.
      await new Promise((r) => setTimeout(r, 1500));
      off();
      loop.disable();
      const cliCpuPerMessage = (cpuMs(pids) - cliCpuBefore) / CHATS;
      const calls = tg.calls.slice(callsBefore).filter((c) => c.status === 200 && (c.method === 'sendMessage' || c.method === 'editMessageText'));
      const firsts: number[] = [];
      const bridge: number[] = [];
      const sessionOf = (chat: number) => core.chats.telegram.store.boundSession(String(chat))!;
      let incomplete = 0;
      let duplicates = 0;
      let maxEdits = 0;
      for (const u of users) {
        const mine = calls.filter((c) => Number(c.params.chat_id) === u.id);
        const first = mine.find((c) => c.method === 'sendMessage');
        if (first) firsts.push(first.at - sentAt.get(u.id)!);
        const delta = firstDelta.get(sessionOf(u.id));
        if (first && delta) bridge.push(first.at - delta);
        const whole = tg.chat(u.id).filter((m) => htmlToPlain(m.text) === answerTo(`question ${u.id}`));
        if (!whole.length) incomplete++;
        if (whole.length > 1) duplicates += whole.length - 1;
        maxEdits = Math.max(maxEdits, maxWithin(mine.map((c) => c.at), 1000));
      }
      return [
        { name: 'telegram.first_edit_ms_p50', value: percentile(firsts, 50), unit: 'ms', goal: { below: 300 }, note: `update received to the first message in the chat, ${CHATS} chats at once, warm sessions` },
        { name: 'telegram.first_edit_ms_p95', value: percentile(firsts, 95), unit: 'ms', note: 'the same, 95th percentile' },
        { name: 'telegram.bridge_ms_p50', value: percentile(bridge, 50), unit: 'ms', note: "of that, from Claude's first text in the core to the message in the chat (the rest is the 20 CLIs on this machine)" },
        { name: 'telegram.first_edit_single_ms', value: single, unit: 'ms', note: 'one chat alone, median of 5 messages' },
        { name: 'telegram.cli_cpu_ms_to_first_text', value: percentile(cpuToFirst, 50), unit: 'ms', note: "CPU one claude process used from the message to its first text, median (ticks of 10 ms)" },
        {
          name: 'telegram.cli_floor_ms',
          value: (CHATS * percentile(cpuToFirst, 50)) / os.cpus().length,
          unit: 'ms',
          note: `that CPU for ${CHATS} messages over ${os.cpus().length} cores: before this, not every CLI can have produced its first text`,
        },
        { name: 'telegram.event_loop_p99_ms', value: loop.percentile(99) / 1e6, unit: 'ms', note: "the core's event loop delay during the round, p99 (the stand-ins share its process)" },
        { name: 'telegram.cli_cpu_ms_per_message', value: cliCpuPerMessage, unit: 'ms', note: `CPU the claude processes used per message in that round (${os.cpus().length} cores for ${CHATS} of them)` },
        { name: 'telegram.replies_incomplete', value: incomplete, unit: 'replies', goal: { below: 1 }, note: `of ${CHATS}: no message in the chat holds the whole answer` },
        { name: 'telegram.duplicates', value: duplicates, unit: 'messages', goal: { below: 1 }, note: 'a whole answer shown in more than one message' },
        { name: 'telegram.max_edits_per_chat_per_s', value: maxEdits, unit: 'calls', goal: { below: 2 }, note: 'sends and edits of one chat within any one second, at most' },
      ];
    } finally {
      await core.stop();
      await tg.stop();
      await api.stop();
      removeTempDir(dir);
    }
  },
};
