import type { ReactNode } from 'react';
import { FieldError } from '../../app/FieldError';

/** The frame every editable setting shares: label, the control with its Save button, error, hint. */
export function SettingForm(props: { id: string; label: string; hint: string; error?: string; dirty: boolean; onSave: () => void; children: ReactNode }) {
  return (
    <form
      className="field"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSave();
      }}
    >
      <label htmlFor={props.id}>{props.label}</label>
      <div className="row">
        {props.children}
        <button type="submit" disabled={!props.dirty}>
          Save
        </button>
      </div>
      <FieldError error={props.error} />
      <p className="hint" id={`${props.id}-hint`}>
        {props.hint}
      </p>
    </form>
  );
}
