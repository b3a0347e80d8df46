// Build-time declarations for esbuild's loaders and defines.
declare module "*.css";
declare const __UI_VERSION__: string;
