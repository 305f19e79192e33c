import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import { MessageView, resultsByToolUse } from '../../app/messages';
import { useChats } from './chats-store';

/** A whole conversation, virtualized: only the rows on screen exist, so 10,000 messages scroll smoothly. */
export function ChatTranscript() {
  const messages = useChats((s) => s.messages);
  const target = useChats((s) => s.target);
  const scroller = useRef<HTMLDivElement>(null);
  const { rows, results } = useMemo(() => ({ rows: messages.filter((m) => m.kind !== 'tool_result'), results: resultsByToolUse(messages) }), [messages]);
  // TanStack Virtual's API cannot be memoized by the React Compiler; this component stays uncompiled.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => 80, overscan: 6 });
  useEffect(() => {
    if (target === null) return;
    const index = rows.findIndex((m) => m.id === target);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'center' });
  }, [target, rows, virtualizer]);
  return (
    <div className="chat-scroll" ref={scroller} data-testid="chat-transcript">
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const message = rows[item.index]!;
          return (
            <div
              key={message.id}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className={message.id === target ? 'chat-row msg-target' : 'chat-row'}
              data-testid={message.id === target ? 'target-message' : undefined}
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <MessageView message={message} results={results} />
            </div>
          );
        })}
      </div>
    </div>
  );
}
