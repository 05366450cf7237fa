import type { PageProps } from '../layout';

export type Frame = Omit<PageProps, 'title' | 'children'>;

const describedBy = (id: string, hint: string | undefined, error: string | undefined) => [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

/** A labelled multi-line input with its hint and error tied to it. */
export function TextArea(props: { id: string; label: string; value?: string | undefined; error?: string | undefined; hint?: string | undefined; rows?: number }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
      <textarea id={props.id} name={props.id} rows={props.rows ?? 3} aria-describedby={describedBy(props.id, props.hint, props.error)} aria-invalid={props.error ? 'true' : undefined}>
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

/** A checkbox posting "yes" when ticked (an unticked box posts nothing). */
export function CheckField(props: { id: string; label: string; checked: boolean; hint?: string | undefined }) {
  return (
    <div class="check">
      <input type="checkbox" id={props.id} name={props.id} value="yes" checked={props.checked} aria-describedby={props.hint ? `${props.id}-hint` : undefined} />
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}
