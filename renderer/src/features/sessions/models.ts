/** The model aliases the Claude CLI takes (`--model`); any full model name works too. */
export const MODEL_ALIASES = ['sonnet', 'opus', 'haiku', 'opusplan', 'sonnet[1m]'] as const;
