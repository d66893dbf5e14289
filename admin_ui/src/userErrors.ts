export interface UserError {
  field: readonly string[];
  code: string;
  message: string;
}

/** A mutation's userErrors by input field name (the last path element); "" for the whole input. */
export function errorsByField(errors: readonly UserError[]): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const error of errors) {
    const name = error.field.at(-1) ?? "";
    byField[name] = byField[name] ? `${byField[name]} ${error.message}` : error.message;
  }
  return byField;
}
