import type { InputHTMLAttributes } from 'react';

/** The model aliases the Claude CLI takes (`--model`); any full model name works too. */
export const MODEL_ALIASES = ['sonnet', 'opus', 'haiku', 'opusplan', 'sonnet[1m]'] as const;

/** A model field: the CLI's aliases offered as suggestions, any model name accepted. */
export function ModelInput({ id, ...props }: InputHTMLAttributes<HTMLInputElement> & { id: string }) {
  return (
    <>
      <input id={id} type="text" list={`${id}-aliases`} spellCheck={false} {...props} />
      <datalist id={`${id}-aliases`}>
        {MODEL_ALIASES.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
    </>
  );
}
