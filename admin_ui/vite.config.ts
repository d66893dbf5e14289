import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The API the dev and preview servers forward to, so the app and the API share one origin
// (start the API with KARTOTEKA_PUBLIC_URL set to the Vite address).
const api = process.env.KARTOTEKA_API_URL ?? "http://127.0.0.1:8000";
const proxy = Object.fromEntries(
  ["/graphql", "/oauth", "/.well-known"].map((path) => [path, { target: api, changeOrigin: false }]),
);

export default defineConfig({
  base: "/admin/",
  plugins: [react()],
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false, manifest: true },
  server: { proxy },
  preview: { proxy },
  test: { include: ["src/**/*.test.ts", "src/**/*.test.tsx"], environment: "node" },
});
