import { useEffect, useState } from 'react';
import type { Memory } from '../../../../contract';
import { FieldError } from '../../app/FieldError';
import { Marked } from '../../app/messages';
import { api } from '../../api';
import { selectGo, useNavigation } from '../../app/navigation-store';
import { useMemory } from './memory-store';

/** Tags as typed: comma separated, blanks dropped. */
const splitTags = (text: string) => text.split(',').map((t) => t.trim()).filter(Boolean);

function Provenance({ memory }: { memory: Memory }) {
  const go = useNavigation(selectGo);
  const label = memory.source.kind === 'user' ? 'added by you' : memory.source.kind === 'tool' ? 'saved by Claude' : 'from a conversation';
  if (!memory.source.sessionId) return <span className="muted">{label}</span>;
  return (
    <button
      className="link"
      onClick={() => go('chats', memory.source.messageId ? [memory.source.sessionId!, String(memory.source.messageId)] : [memory.source.sessionId!])}
    >
      {label}
    </button>
  );
}

function MemoryItem({ memory, snippet }: { memory: Memory; snippet?: string }) {
  const update = useMemory((s) => s.update);
  const remove = useMemory((s) => s.remove);
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(memory.text);
  const [category, setCategory] = useState(memory.category);
  const [tags, setTags] = useState(memory.tags.join(', '));
  const [error, setError] = useState<string | null>(null);
  if (editing) {
    return (
      <li className="memory editing">
        <textarea aria-label="Memory text" value={text} rows={3} onChange={(e) => setText(e.target.value)} />
        <div className="row">
          <input aria-label="Memory category" value={category} onChange={(e) => setCategory(e.target.value)} />
          <input aria-label="Memory tags" placeholder="tags, comma separated" value={tags} onChange={(e) => setTags(e.target.value)} />
        </div>
        <FieldError error={error} />
        <div className="row-actions">
          <button
            type="submit"
            onClick={async () => {
              const failure = await update(memory.id, { text, category, tags: splitTags(tags) });
              setError(failure);
              if (!failure) setEditing(false);
            }}
          >
            Save
          </button>
          <button onClick={() => setEditing(false)}>Cancel</button>
        </div>
      </li>
    );
  }
  return (
    <li className="memory" data-testid="memory">
      <div className="memory-text">{snippet ? <Marked text={snippet} /> : memory.text}</div>
      <div className="memory-meta muted">
        <span className="badge">{memory.category}</span>
        {memory.tags.map((t) => (
          <span key={t} className="tag">
            #{t}
          </span>
        ))}
        <Provenance memory={memory} /> · {new Date(memory.updatedAt).toLocaleDateString()}
        {memory.indexed ? '' : ' · words only (vector pending)'}
      </div>
      <div className="row-actions">
        <button onClick={() => setEditing(true)}>Edit</button>
        <button className="danger" onClick={() => void remove(memory.id)}>
          Delete
        </button>
      </div>
    </li>
  );
}

function AddMemory() {
  const add = useMemory((s) => s.add);
  const [text, setText] = useState('');
  const [category, setCategory] = useState('general');
  const [tags, setTags] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="add-memory card"
      onSubmit={async (e) => {
        e.preventDefault();
        const submitted = text;
        const submittedTags = tags;
        const submittedCategory = category;
        const failure = await add(submitted, category.trim() || 'general', splitTags(submittedTags));
        setError(failure);
        // Clear only what was sent (the user may have typed the next one while this was saved), the category
        // too: kept, the next memory took it without a word.
        if (!failure) {
          setText((current) => (current === submitted ? '' : current));
          setTags((current) => (current === submittedTags ? '' : current));
          setCategory((current) => (current === submittedCategory ? 'general' : current));
        }
      }}
    >
      <textarea aria-label="New memory" placeholder="Something worth remembering" rows={2} value={text} onChange={(e) => setText(e.target.value)} />
      <div className="row">
        <input aria-label="Category" value={category} onChange={(e) => setCategory(e.target.value)} />
        <input aria-label="Tags" placeholder="tags, comma separated" value={tags} onChange={(e) => setTags(e.target.value)} />
        <button type="submit" disabled={!text.trim()}>
          Remember
        </button>
      </div>
      <FieldError error={error} />
    </form>
  );
}

function IndexLine() {
  const status = useMemory((s) => s.status);
  if (!status) return null;
  return (
    <p className="muted" data-testid="index-status">
      Embeddings: {status.provider}
      {status.dimensions ? ` (${status.dimensions} dimensions)` : ''}
      {status.reindexing ? ` · re-embedding ${status.reindexing.done}/${status.reindexing.total}` : status.pending ? ` · ${status.pending} waiting` : ''}
      {status.error ? ` · ${status.error}` : ''}
    </p>
  );
}

function Transfer() {
  const importJson = useMemory((s) => s.importJson);
  const [error, setError] = useState<string | null>(null);
  const download = async () => {
    const r = await api.memory.export({});
    if (!r.ok) return setError(r.error.message);
    const url = URL.createObjectURL(new Blob([JSON.stringify(r.value, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `switchboard-memories-${new Date().toISOString().slice(0, 10)}.json`;
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div className="transfer">
      <button onClick={() => void download()}>Export JSON</button>
      <label className="file-button">
        Import JSON
        <input type="file" accept="application/json" onChange={async (e) => setError(e.target.files?.[0] ? await importJson(await e.target.files[0].text()) : null)} />
      </label>
      <FieldError error={error} />
    </div>
  );
}

/** What Claude and you remember: search it, correct it, forget it. */
export function MemoryScreen() {
  const start = useMemory((s) => s.start);
  const memories = useMemory((s) => s.memories);
  const total = useMemory((s) => s.total);
  const categories = useMemory((s) => s.categories);
  const category = useMemory((s) => s.category);
  const setCategory = useMemory((s) => s.setCategory);
  const query = useMemory((s) => s.query);
  const setQuery = useMemory((s) => s.setQuery);
  const hits = useMemory((s) => s.hits);
  const deleted = useMemory((s) => s.deleted);
  const undo = useMemory((s) => s.undo);
  const notice = useMemory((s) => s.notice);
  const merged = useMemory((s) => s.merged);
  const undoMerge = useMemory((s) => s.undoMerge);
  useEffect(() => start(), [start]);
  return (
    <div className="screen memory-screen full-bleed">
      <h1>Memory</h1>
      <IndexLine />
      <AddMemory />
      {notice ? <div className="banner banner-warn" role="status">{notice}</div> : null}
      {merged ? (
        <div className="banner banner-warn" role="status">
          Already remembered, so it was updated: “{merged.before.text.slice(0, 120)}” is now “{merged.after.slice(0, 120)}”. <button onClick={() => void undoMerge()}>Undo</button>
        </div>
      ) : null}
      {deleted ? (
        <div className="banner banner-warn" role="status">
          Forgot “{deleted.text.slice(0, 60)}”. <button onClick={() => void undo()}>Undo</button>
        </div>
      ) : null}
      <div className="search-row">
        <input type="search" aria-label="Search memories" placeholder={`Search ${total} memories`} value={query} onChange={(e) => setQuery(e.target.value)} />
      </div>
      <div className="categories">
        <button className={category === null ? 'active' : ''} onClick={() => setCategory(null)}>
          All
        </button>
        {categories.map((c) => (
          <button key={c.name} className={category === c.name ? 'active' : ''} onClick={() => setCategory(c.name)}>
            {c.name} <span className="muted">{c.count}</span>
          </button>
        ))}
      </div>
      <ul className="memories">
        {hits ? hits.map((h) => <MemoryItem key={`${h.memory.id}:${h.memory.updatedAt}`} memory={h.memory} snippet={h.snippet} />) : memories.map((m) => <MemoryItem key={`${m.id}:${m.updatedAt}`} memory={m} />)}
      </ul>
      {hits && !hits.length ? <p className="muted">Nothing found.</p> : null}
      <Transfer />
    </div>
  );
}
