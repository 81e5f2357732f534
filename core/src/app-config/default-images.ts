/** Latchkey's built-in logo and favicon: a key in a rounded square, plain SVG with no scripts. */
export const DEFAULT_LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="Latchkey">
<rect width="64" height="64" rx="14" fill="#1f2937"/>
<circle cx="24" cy="32" r="10" fill="none" stroke="#f9fafb" stroke-width="5"/>
<path d="M33 32h20M46 32v8M52 32v6" fill="none" stroke="#f9fafb" stroke-width="5" stroke-linecap="round"/>
</svg>
`;

export const DEFAULT_FAVICON_SVG = DEFAULT_LOGO_SVG;
