import { useEffect, useState } from 'react';
import { settingDefinitions, type IndexStatus, type SettingValues } from '../../../../contract';
import { api } from '../../api';
import { NumberSetting } from './NumberSetting';
import { SecretKeyForm } from './SecretKeyForm';
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
          <SecretKeyForm id="setting-embeddings-key" label="API key" save={(key) => api.memory.setEmbeddingKey({ key })} />
        </>
      ) : null}
      <NumberSetting key="memory.duplicateSimilarity" settingKey="memory.duplicateSimilarity" stored={values['memory.duplicateSimilarity']} />
    </section>
  );
}
