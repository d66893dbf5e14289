import type { ReactElement } from "react";
import type { MessageKey } from "./i18n/messages";

/**
 * A screen of the app. Each plugin's screens live in `src/plugins/<plugin>/screens.tsx`; a screen
 * shows (in the navigation and as a route) only to a viewer holding its permission, so screens of
 * a plugin that is not enabled (whose permissions do not exist) and screens the user may not use
 * never appear.
 */
export interface Screen {
  /** Route under /admin, React Router syntax (`companies/:id`). */
  path: string;
  element: ReactElement;
  /** A permission code from `viewer.permissions`, e.g. `core.company.read`. */
  permission: string;
  /** Present for screens listed in the main navigation. */
  nav?: MessageKey;
}

export function visibleScreens(screens: readonly Screen[], permissions: readonly string[]): Screen[] {
  const held = new Set(permissions);
  return screens.filter((screen) => held.has(screen.permission));
}
