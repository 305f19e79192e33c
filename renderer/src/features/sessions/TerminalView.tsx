import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef } from 'react';
import { api } from '../../api';
import { TerminalFeed } from './terminal-feed';

/** Acknowledge shown output this often, in characters (the server pauses the pty 100,000 behind). */
const ACK_EVERY = 5_000;

/**
 * One xterm.js view of a pty. It subscribes first, then replays the scrollback, and skips any
 * live chunk it already has by offset, so a late viewer sees exactly what an early one did. It
 * acknowledges what xterm.js has drawn, so a flood waits for the screen; output it missed (the
 * server dropped it while this window was not reading) is fetched again from the scrollback.
 */
export function TerminalView({ id }: { id: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const term = new Terminal({ fontSize: 13, cursorBlink: true, convertEol: false, scrollback: 10_000 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current!);
    let viewer: string | null = null;
    let acked = 0;
    let closed = false;
    const feed = new TerminalFeed((data, end) =>
      term.write(data, () => {
        if (!viewer || closed || end - acked < ACK_EVERY) return;
        acked = end;
        void api.terminals.ack({ id, viewer, offset: end });
      }),
    );
    const attach = () => {
      feed.reset();
      void api.terminals.attach({ id }).then((r) => {
        if (closed) return;
        if (!r.ok) return term.write(`\r\n[${r.error.message}]\r\n`);
        if (viewer) void api.terminals.detach({ id, viewer });
        viewer = r.value.viewer;
        acked = r.value.offset + r.value.scrollback.length;
        feed.attached(r.value.scrollback, r.value.offset);
      });
    };
    const off = api.on('terminals.output', (out) => {
      if (out.id === id && feed.live(out.data, out.offset) === 'gap') attach();
    });
    const offResync = api.on('system.resync', ({ events }) => {
      if (events.includes('terminals.output')) attach();
    });
    attach();
    const input = term.onData((data) => void api.terminals.write({ id, data }));
    const resize = () => {
      fit.fit();
      void api.terminals.resize({ id, cols: term.cols, rows: term.rows });
    };
    const observer = new ResizeObserver(resize);
    observer.observe(host.current!);
    term.focus();
    return () => {
      closed = true;
      if (viewer) void api.terminals.detach({ id, viewer });
      observer.disconnect();
      input.dispose();
      off();
      offResync();
      term.dispose();
    };
  }, [id]);
  return <div className="terminal-host" ref={host} data-testid="terminal" />;
}
