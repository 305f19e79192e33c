import { useEffect, useState } from 'react';
import { settingDefinitions, type IndexStatus, type SettingValues } from '../../../../contract';
import { FieldError } from '../../app/FieldError';
import { api } from '../../api';
import { NumberSetting } from './NumberSetting';
import { useSettings } from './settings-store';
import { TextSetting } from './TextSetting';

const PROVIDERS = [
  { value: 'builtin', label: 'Built in (offline)' },
  { value: 'ollama', label: 'Ollama' },
  { value: 'openai', label: 'OpenAI-compatible endpoint' },
] as const;

/** Which embeddings power search by meaning; a change re-embeds everything, shown as it goes. */
export function EmbeddingsCard({ values }: { values: SettingValues }) {
  const save = useSettings((s) => s.save);
  const [status, setStatus] = useState<IndexStatus | null>(null);
  const [key, setKey] = useState('');
  const [keyNote, setKeyNote] = useState<string | null>(null);
  useEffect(() => {
    void api.memory.indexStatus({}).then((r) => r.ok && setStatus(r.value));
    return api.on('memory.indexStatus', setStatus);
  }, []);
  const provider = values['embeddings.provider'];
  return (
    <section className="card" aria-labelledby="settings-embeddings">
      <h2 id="settings-embeddings">Embeddings</h2>
      <div className="field">
        <label htmlFor="setting-embeddings-provider">{settingDefinitions['embeddings.provider'].label}</label>
        <select id="setting-embeddings-provider" value={provider} onChange={(e) => void save({ key: 'embeddings.provider', value: e.target.value as SettingValues['embeddings.provider'] })}>
          {PROVIDERS.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </select>
        <p className="hint">{settingDefinitions['embeddings.provider'].description}</p>
        {status ? (
          <p className="muted" role="status" data-testid="embeddings-status">
            {status.provider}
            {status.dimensions ? `, ${status.dimensions} dimensions` : ''}
            {status.reindexing ? ` · re-embedding ${status.reindexing.done} of ${status.reindexing.total}` : status.pending ? ` · ${status.pending} waiting` : ' · up to date'}
            {status.error ? ` · ${status.error}` : ''}
          </p>
        ) : null}
      </div>
      {provider === 'ollama' ? (
        <>
          <TextSetting key="embeddings.ollamaUrl" settingKey="embeddings.ollamaUrl" stored={values['embeddings.ollamaUrl']} />
          <TextSetting key="embeddings.ollamaModel" settingKey="embeddings.ollamaModel" stored={values['embeddings.ollamaModel']} />
        </>
      ) : null}
      {provider === 'openai' ? (
        <>
          <TextSetting key="embeddings.openaiBaseUrl" settingKey="embeddings.openaiBaseUrl" stored={values['embeddings.openaiBaseUrl']} />
          <TextSetting key="embeddings.openaiModel" settingKey="embeddings.openaiModel" stored={values['embeddings.openaiModel']} />
          <form
            className="field"
            onSubmit={async (e) => {
              e.preventDefault();
              const r = await api.memory.setEmbeddingKey({ key: key.trim() || null });
              setKeyNote(r.ok ? (r.value.stored ? 'Key saved with the other secrets.' : 'Key removed.') : r.error.message);
              setKey('');
            }}
          >
            <label htmlFor="setting-embeddings-key">API key</label>
            <div className="row">
              <input id="setting-embeddings-key" type="password" autoComplete="off" value={key} placeholder="Stored encrypted, never shown again" onChange={(e) => setKey(e.target.value)} />
              <button type="submit">Save key</button>
            </div>
            <FieldError error={keyNote && !keyNote.startsWith('Key') ? keyNote : null} />
            {keyNote?.startsWith('Key') ? <p className="hint">{keyNote}</p> : null}
          </form>
        </>
      ) : null}
      <NumberSetting key="memory.duplicateSimilarity" settingKey="memory.duplicateSimilarity" stored={values['memory.duplicateSimilarity']} />
    </section>
  );
}
