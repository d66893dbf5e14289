import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed documents from the committed contract: no running server is needed.
const config: CodegenConfig = {
  schema: "../schema/schema.graphql",
  documents: ["src/**/*.tsx", "src/**/*.ts", "!src/gql/**"],
  ignoreNoDocuments: true,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: "string", Date: "string", Decimal: "string", JSON: "unknown", ID: "string" },
      },
    },
  },
};
export default config;
