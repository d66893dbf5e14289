import type { Screen } from "../screens";
import { coreScreens } from "./core/screens";

/** Every first-party screen; the app shows those the viewer's permissions allow. */
export const allScreens: Screen[] = [...coreScreens];
