/** A validation or call error next to the control it is about; nothing when there is none. */
export function FieldError({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p className="field-error" role="alert">
      {error}
    </p>
  );
}
