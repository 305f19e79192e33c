/**
 * A client's name as the owner reads it in a question: its own words, so letters, digits and `._-` only, at
 * most 40 (a name with quotes or new lines could write its own lines into the owner's approval card).
 */
export function clientName(name: string | undefined): string {
  return (name ?? '').replace(/[^\p{L}\p{N}._-]+/gu, '-').slice(0, 40).replace(/^-+|-+$/g, '') || 'client';
}
