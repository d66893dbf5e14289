import { useId, type ReactElement } from "react";

/** A labelled input with its error message linked for screen readers. */
export function Field({
  label,
  error,
  render,
}: {
  label: string;
  error?: string;
  render: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactElement;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {render({ id, "aria-invalid": Boolean(error), "aria-describedby": error ? errorId : undefined })}
      {error ? (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
