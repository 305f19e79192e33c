import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { claudeEnv } from '../main/testing/claude-harness';
import type { FakeUser } from '../main/testing/fake-telegram';
import { makeTempDir, removeTempDir } from '../main/testing/temp-core';
import { nextEvent } from '../main/testing/wait';
import { htmlToPlain } from '../main/surfaces/telegram/telegram-html';
import { benchCore } from './bench-core';
import { answerTo, startAnthropicProcess } from './anthropic-process';
import { RawClaude } from './raw-claude';
import { TelegramProcess } from './telegram-process';
import { cpuMs, maxWithin, percentile, type BenchGroup, type Figure } from './figures';

const CHATS = 20;
/** Switchboard's measured rounds, each between two of the bare CLIs'. */
const ROUNDS = 2;

/** Until the processes use no CPU for a second (at most `limitMs`): a CLI keeps working a while after its first turns. */
async function untilQuiet(pids: number[], limitMs = 20_000): Promise<void> {
  const until = Date.now() + limitMs;
  let last = cpuMs(pids);
  let still = 0;
  while (still < 2 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    const now = cpuMs(pids);
    still = now === last ? still + 1 : 0;
    last = now;
  }
}

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
    const api = await startAnthropicProcess();
    const tg = await new TelegramProcess().start();
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    const core = await benchCore(path.join(dir, 'data'), {
      env: { ...claudeEnv(api.url, home), SWITCHBOARD_TELEGRAM_TOKEN: tg.token, SWITCHBOARD_TELEGRAM_API_ROOT: tg.url },
      freeMemoryMb: () => 100_000,
    });
    let raws: RawClaude[] = [];
    try {
      core.settings.set({ key: 'sessions.maxProcesses', value: CHATS + 2 });
      if (core.chats.telegram.status().state !== 'connected') await nextEvent(core.events, 'chat.status', (s) => s.state === 'connected', 20_000);
      const users: FakeUser[] = Array.from({ length: CHATS }, (_, i) => ({ id: 5000 + i, first_name: `User ${i}` }));
      for (const user of users) {
        const { pairing } = core.chats.telegram.access.requestPairing(String(user.id), user.first_name, String(user.id));
        core.chats.telegram.access.answer(pairing.code, true);
      }
      const replied = (chatId: number, text: string) => tg.chat(chatId).some((m) => htmlToPlain(m.text) === answerTo(text));
      // Warm: every chat's session and CLI process is up before the measured round.
      users.forEach((u) => tg.send(u, 'warm up'));
      await tg.until(() => users.every((u) => replied(u.id, 'warm up')), 120_000, 'the warm-up replies');
      // One chat alone first: the same path without 19 other CLIs sharing the machine.
      const singles: number[] = [];
      for (let i = 0; i < 5; i++) {
        const before = tg.calls.length;
        const at = Date.now();
        tg.send(users[0]!, `alone ${i}`);
        await tg.until(() => replied(users[0]!.id, `alone ${i}`), 30_000, 'the single reply');
        const first = tg.calls.slice(before).find((c) => c.method === 'sendMessage' && c.status === 200);
        if (first) singles.push(first.at - at);
        await new Promise((r) => setTimeout(r, 1200));
      }
      const single = percentile(singles, 50);
      // The warm-up's final edits go out at the chat's pace: let them land before measuring.
      await new Promise((r) => setTimeout(r, 2500));
      // Side by side: the same 20 messages written straight to 20 warm CLIs (no bot, no bridge), their
      // first text timed, in rounds before and after each of Switchboard's (this host's load changes
      // from minute to minute). Their own home, so Switchboard's importer does not follow them.
      const rawHome = path.join(dir, 'raw-home');
      fs.mkdirSync(rawHome);
      raws = users.map((_, i) => {
        const cwd = path.join(dir, `raw-${i}`);
        fs.mkdirSync(cwd);
        return new RawClaude(cwd, claudeEnv(api.url, rawHome));
      });
      const rawFirsts: number[] = [];
      let rawCpu = 0;
      const rawRound = async (round: string) => {
        await untilQuiet([...raws.map((r) => r.pid), ...core.sessions.list().flatMap((x) => (x.pid ? [x.pid] : []))]);
        const before = cpuMs(raws.map((r) => r.pid));
        rawFirsts.push(...(await Promise.all(raws.map((r, i) => r.turn(`question ${users[i]!.id} ${round}`)))));
        // As long after the last answer as Switchboard's rounds count.
        await new Promise((r) => setTimeout(r, 1500));
        rawCpu += cpuMs(raws.map((r) => r.pid)) - before;
      };
      await Promise.all(raws.map((r) => r.turn('warm up')));

      const sessions = core.sessions.list().filter((x) => x.pid);
      const pids = sessions.map((x) => x.pid!);
      const sessionOf = (chat: number) => core.chats.telegram.store.boundSession(String(chat))!;
      const firsts: number[] = [];
      const bridge: number[] = [];
      const inputs: number[] = [];
      const cliParts: number[] = [];
      const cpuToFirst: number[] = [];
      const loopP99: number[] = [];
      let cliCpu = 0;
      let ownCpu = 0;
      let incomplete = 0;
      let duplicates = 0;
      let maxEdits = 0;
      /** The 20 messages through Telegram, the bridge and the sessions' CLIs at once. */
      const oursRound = async (round: string) => {
        const callsBefore = tg.calls.length;
        await untilQuiet([...pids, ...raws.map((r) => r.pid)]);
        const cliCpuBefore = cpuMs(pids);
        const ownCpuBefore = process.cpuUsage();
        const cpuBefore = new Map(sessions.map((x) => [x.id, cpuMs([x.pid!])]));
        // When Claude's first text reached the core, per session: the part of the wait that is the CLI's,
        // and the CPU its CLI used until then (time shared with 19 others does not count in it).
        const firstDelta = new Map<string, number>();
        const running = new Map<string, number>();
        const off = core.events.on('sessions.stream', ({ sessionId, item }) => {
          if (item.kind === 'turn' && item.turn?.status === 'running' && !running.has(sessionId)) running.set(sessionId, Date.now());
          if (item.kind !== 'text_delta' || firstDelta.has(sessionId)) return;
          firstDelta.set(sessionId, Date.now());
          const pid = sessions.find((x) => x.id === sessionId)?.pid;
          if (pid) cpuToFirst.push(cpuMs([pid]) - cpuBefore.get(sessionId)!);
        });
        const loop = monitorEventLoopDelay({ resolution: 5 });
        loop.enable();
        const sentAt = new Map<number, number>();
        const question = (chat: number) => `question ${chat} ${round}`;
        for (const u of users) {
          sentAt.set(u.id, Date.now());
          tg.send(u, question(u.id));
        }
        // Checked after each bot call, for that call's chat only: the check must not take CPU the 20 CLIs need.
        const answered = new Set<number>();
        let checked = tg.calls.length;
        const everyReply = () => {
          for (const { chatId } of tg.calls.slice(checked)) if (sentAt.has(chatId) && !answered.has(chatId) && replied(chatId, question(chatId))) answered.add(chatId);
          checked = tg.calls.length;
          return answered.size === users.length;
        };
        await tg.until(everyReply, 60_000, 'every reply').catch(() => undefined);
        // Let any late duplicate arrive before counting.
        await new Promise((r) => setTimeout(r, 1500));
        off();
        loop.disable();
        loopP99.push(loop.percentile(99) / 1e6);
        cliCpu += cpuMs(pids) - cliCpuBefore;
        const own = process.cpuUsage(ownCpuBefore);
        ownCpu += (own.user + own.system) / 1000;
        const calls = tg.calls.slice(callsBefore).filter((c) => c.status === 200 && (c.method === 'sendMessage' || c.method === 'editMessageText'));
        for (const u of users) {
          const mine = calls.filter((c) => c.chatId === u.id);
          const first = mine.find((c) => c.method === 'sendMessage');
          if (first) firsts.push(first.at - sentAt.get(u.id)!);
          const delta = firstDelta.get(sessionOf(u.id));
          const started = running.get(sessionOf(u.id));
          if (started) inputs.push(started - sentAt.get(u.id)!);
          if (started && delta) cliParts.push(delta - started);
          if (first && delta) bridge.push(first.at - delta);
          const whole = tg.chat(u.id).filter((m) => htmlToPlain(m.text) === answerTo(question(u.id)));
          if (!whole.length) incomplete++;
          if (whole.length > 1) duplicates += whole.length - 1;
          maxEdits = Math.max(maxEdits, maxWithin(mine.map((c) => c.at), 1000));
        }
      };
      // Interleaved, so that a minute of load on this host falls on both sides alike.
      for (let round = 1; round <= ROUNDS; round++) {
        await rawRound(`raw ${round}`);
        await oursRound(`ours ${round}`);
      }
      await rawRound(`raw ${ROUNDS + 1}`);
      const firstP50 = percentile(firsts, 50);
      const rawP50 = percentile(rawFirsts, 50);
      return [
        { name: 'telegram.raw_first_text_ms_p50', value: rawP50, unit: 'ms', note: `the same ${CHATS} messages written at once straight to ${CHATS} warm claude processes, first text delta: ${ROUNDS + 1} rounds, one before and after each of Switchboard's ${ROUNDS}` },
        { name: 'telegram.over_raw', value: firstP50 / rawP50, unit: 'x', goal: { below: 1.15 }, note: 'first message in the chat p50 / raw first text p50' },
        { name: 'telegram.first_edit_ms_p50', value: firstP50, unit: 'ms', goal: { below: 300 }, note: `update received to the first message in the chat, ${CHATS} chats at once, warm sessions, ${ROUNDS} rounds` },
        { name: 'telegram.first_edit_ms_p95', value: percentile(firsts, 95), unit: 'ms', note: 'the same, 95th percentile' },
        { name: 'telegram.input_ms_p50', value: percentile(inputs, 50), unit: 'ms', note: 'of that, from the message sent in the chat to its turn running in the CLI (polling, bridge, queue)' },
        { name: 'telegram.cli_turn_ms_p50', value: percentile(cliParts, 50), unit: 'ms', note: 'of that, from the turn running to Claude’s first text in the core (the CLI’s part, shared with 19 others)' },
        { name: 'telegram.bridge_ms_p50', value: percentile(bridge, 50), unit: 'ms', goal: { below: 15 }, note: "of that, from Claude's first text in the core to the message in the chat (the rest is the 20 CLIs on this machine)" },
        { name: 'telegram.first_edit_single_ms', value: single, unit: 'ms', goal: { below: 80 }, note: 'one chat alone, median of 5 messages' },
        { name: 'telegram.cli_cpu_ms_to_first_text', value: percentile(cpuToFirst, 50), unit: 'ms', note: "CPU one claude process used from the message to its first text, median (ticks of 10 ms)" },
        {
          name: 'telegram.cli_floor_ms',
          value: (CHATS * percentile(cpuToFirst, 50)) / os.cpus().length,
          unit: 'ms',
          note: `that CPU for ${CHATS} messages over ${os.cpus().length} cores: before this, not every CLI can have produced its first text`,
        },
        { name: 'telegram.event_loop_p99_ms', value: Math.max(...loopP99), unit: 'ms', note: "the core's event loop delay during a round, p99, the worse round" },
        { name: 'telegram.own_cpu_ms_per_message', value: ownCpu / (ROUNDS * CHATS), unit: 'ms', note: 'CPU this process used per message in those rounds, all its threads (the core; the API and Telegram stand-ins run in processes of their own)' },
        { name: 'telegram.cli_cpu_ms_per_message', value: cliCpu / (ROUNDS * CHATS), unit: 'ms', note: `CPU the claude processes used per message in those rounds (${os.cpus().length} cores for ${CHATS} of them)` },
        { name: 'telegram.raw_cli_cpu_ms_per_message', value: rawCpu / ((ROUNDS + 1) * CHATS), unit: 'ms', note: 'the same for the bare claude processes of the side-by-side rounds' },
        { name: 'telegram.replies_incomplete', value: incomplete, unit: 'replies', goal: { below: 1 }, note: `of ${ROUNDS * CHATS}: no message in the chat holds the whole answer` },
        { name: 'telegram.duplicates', value: duplicates, unit: 'messages', goal: { below: 1 }, note: 'a whole answer shown in more than one message' },
        { name: 'telegram.max_edits_per_chat_per_s', value: maxEdits, unit: 'calls', goal: { below: 2 }, note: 'sends and edits of one chat within any one second, at most' },
      ];
    } finally {
      raws.forEach((r) => r.stop());
      await core.stop();
      tg.stop();
      api.stop();
      removeTempDir(dir);
    }
  },
};
