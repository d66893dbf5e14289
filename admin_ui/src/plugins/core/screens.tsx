import { CompanyCard } from "../../pages/CompanyCard";
import { CompanyList } from "../../pages/CompanyList";
import { PersonList } from "../../pages/PersonList";
import type { Screen } from "../../screens";

export const coreScreens: Screen[] = [
  { path: "companies", element: <CompanyList />, permission: "core.company.read", nav: "navCompanies" },
  { path: "companies/:id", element: <CompanyCard />, permission: "core.company.read" },
  { path: "persons", element: <PersonList />, permission: "core.person.read", nav: "navPersons" },
];
