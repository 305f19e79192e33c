import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef } from 'react';
import { api } from '../../api';

/**
 * One xterm.js view of a pty. It subscribes first, then replays the scrollback, and skips any
 * live chunk it already has by offset, so a late viewer sees exactly what an early one did.
 */
export function TerminalView({ id }: { id: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const term = new Terminal({ fontSize: 13, cursorBlink: true, convertEol: false, scrollback: 10_000 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current!);
    let end = -1;
    const pending: { data: string; offset: number }[] = [];
    const accept = (data: string, offset: number) => {
      if (offset + data.length <= end) return;
      term.write(offset < end ? data.slice(end - offset) : data);
      end = offset + data.length;
    };
    const off = api.on('terminals.output', (out) => {
      if (out.id !== id) return;
      if (end < 0) pending.push(out);
      else accept(out.data, out.offset);
    });
    void api.terminals.attach({ id }).then((r) => {
      if (!r.ok) return term.write(`\r\n[${r.error.message}]\r\n`);
      end = r.value.offset;
      accept(r.value.scrollback, r.value.offset);
      for (const out of pending.splice(0)) accept(out.data, out.offset);
    });
    const input = term.onData((data) => void api.terminals.write({ id, data }));
    const resize = () => {
      fit.fit();
      void api.terminals.resize({ id, cols: term.cols, rows: term.rows });
    };
    const observer = new ResizeObserver(resize);
    observer.observe(host.current!);
    term.focus();
    return () => {
      observer.disconnect();
      input.dispose();
      off();
      term.dispose();
    };
  }, [id]);
  return <div className="terminal-host" ref={host} data-testid="terminal" />;
}
