// Dates, money and phone numbers in the user's language (Polish conventions by default).

export function formatDateTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Warsaw" }).format(
    new Date(iso),
  );
}

export function formatDate(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "Europe/Warsaw" }).format(new Date(iso));
}

export function formatMoney(amount: string | number, locale: string, currency = "PLN"): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(Number(amount));
}

/** E.164 Polish numbers as `+48 601 234 567` (non-breaking spaces); other numbers unchanged. */
export function formatPhone(e164: string): string {
  const polish = /^\+48(\d{3})(\d{3})(\d{3})$/.exec(e164);
  return polish ? `+48\u00a0${polish[1]}\u00a0${polish[2]}\u00a0${polish[3]}` : e164;
}
