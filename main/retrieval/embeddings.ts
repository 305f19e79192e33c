/** Turns text into unit-length vectors. The id is stored with the index: a new id means re-embedding. */
export interface EmbeddingProvider {
  readonly id: string;
  /** Known up front for the built-in provider; remote ones learn it from their first answer. */
  readonly dimensions: number | null;
  /** Providers that can embed synchronously do so inside the writing transaction. */
  embedSync?(texts: string[]): Float32Array[];
  embed(texts: string[]): Promise<Float32Array[]>;
}

function normalize(values: ArrayLike<number>): Float32Array {
  const v = Float32Array.from(values);
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/** FNV-1a, 32-bit. */
function hash(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const STOPWORDS = new Set('a an and are as at be but by do for from has have i if in into is it its me my not of on or so that the their them then there these they this to was we were what when which who will with you your'.split(' '));

/** A light suffix stripper: "deploys", "deployed", "deploying" all become "deploy". */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  for (const suffix of ['ing', 'edly', 'ed', 'ies', 'es', 's', 'ly']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return suffix === 'ies' ? `${word.slice(0, -3)}y` : word.slice(0, -suffix.length);
  }
  return word;
}

const NON_ASCII = /[^\t\n\r\x20-\x7e]/;

/** Lower-cased words without accents or stopwords; plain ASCII (most text here) is split in one pass. */
export function words(text: string): string[] {
  if (NON_ASCII.test(text)) {
    const found = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
    return found.filter((w) => !STOPWORDS.has(w));
  }
  const out: string[] = [];
  let start = -1;
  const lower = text.toLowerCase();
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    const wordChar = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
    if (wordChar) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      const word = lower.slice(start, i);
      if (!STOPWORDS.has(word)) out.push(word);
      start = -1;
    }
  }
  return out;
}

/**
 * The built-in provider: works offline, with no model to download. It hashes words, word pairs and
 * character trigrams into 256 signed dimensions, so texts that share words, or spell them alike
 * (plural, typo, inflection), land near each other. It does not know meaning: "car" and
 * "automobile" are strangers to it.
 */
export class BuiltinEmbedder implements EmbeddingProvider {
  static readonly DIMENSIONS = 256;
  readonly id = `builtin:hash-v3-${BuiltinEmbedder.DIMENSIONS}`;
  readonly dimensions = BuiltinEmbedder.DIMENSIONS;

  embedSync(texts: string[]): Float32Array[] {
    return texts.map((text) => this.one(text));
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return this.embedSync(texts);
  }

  private one(text: string): Float32Array {
    const d = BuiltinEmbedder.DIMENSIONS;
    const v = new Float32Array(d);
    // Hashes are mixed as numbers, not built from strings: this runs for every message stored.
    const add = (h: number, weight: number) => {
      const mixed = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
      v[mixed % d]! += (mixed & 0x80000000 ? 1 : -1) * weight;
    };
    let previous = 0;
    let first = true;
    for (const word of words(text)) {
      const stemmed = stem(word);
      const wordHash = hash(stemmed);
      add(wordHash, 1);
      if (!first) add(Math.imul(previous, 0x01000193) ^ wordHash ^ 0x5bd1e995, 0.3);
      previous = wordHash;
      first = false;
      // Character trigrams of "#word#" carry as much as the word itself, so a typo still lands close.
      const n = stemmed.length;
      const weight = 1.2 / Math.sqrt(n);
      let a = 35;
      let b = stemmed.charCodeAt(0);
      for (let j = 0; j < n; j++) {
        const c = j + 1 < n ? stemmed.charCodeAt(j + 1) : 35;
        add(Math.imul(Math.imul(a, 0x01000193) ^ b, 0x01000193) ^ c ^ 0x27d4eb2f, weight);
        a = b;
        b = c;
      }
    }
    return normalize(v);
  }
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

/** Ollama's /api/embed (default model nomic-embed-text). */
export class OllamaEmbedder implements EmbeddingProvider {
  readonly id: string;
  dimensions: number | null = null;

  constructor(
    private readonly url: string,
    private readonly model: string,
  ) {
    this.id = `ollama:${model}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out = (await postJson(`${this.url.replace(/\/$/, '')}/api/embed`, { model: this.model, input: texts })) as { embeddings?: number[][] };
    if (!Array.isArray(out.embeddings) || out.embeddings.length !== texts.length) throw new Error('Ollama returned no embeddings');
    const vectors = out.embeddings.map(normalize);
    this.dimensions = vectors[0]?.length ?? this.dimensions;
    return vectors;
  }
}

/** Any OpenAI-compatible /v1/embeddings endpoint. */
export class OpenAiEmbedder implements EmbeddingProvider {
  readonly id: string;
  dimensions: number | null = null;

  constructor(
    private readonly baseUrl: string,
    private readonly model: string,
    private readonly apiKey: string | null,
  ) {
    this.id = `openai:${baseUrl.replace(/\/$/, '')}:${model}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out = (await postJson(
      `${this.baseUrl.replace(/\/$/, '')}/embeddings`,
      { model: this.model, input: texts },
      this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {},
    )) as { data?: { embedding: number[]; index: number }[] };
    if (!Array.isArray(out.data) || out.data.length !== texts.length) throw new Error('the embeddings endpoint returned no data');
    const vectors = [...out.data].sort((a, b) => a.index - b.index).map((d) => normalize(d.embedding));
    this.dimensions = vectors[0]?.length ?? this.dimensions;
    return vectors;
  }
}
