import { Show, createResource } from 'solid-js';

interface Matrix {
  size: number;
  path: string;
}

/**
 * A QR code drawn as SVG in the page (no canvas, no data: URL). The `qrcode` encoder loads only when a
 * code is shown. Dark on white whatever the theme, with the quiet zone scanners need.
 */
export function QrCode(props: { value: string; label: string }) {
  const [matrix] = createResource(
    () => props.value,
    async (value): Promise<Matrix | undefined> => {
      try {
        const qrcode = await import('qrcode');
        const create = qrcode.create ?? (qrcode as unknown as { default: typeof qrcode }).default.create;
        const { modules } = create(value, { errorCorrectionLevel: 'M' });
        let path = '';
        for (let y = 0; y < modules.size; y++)
          for (let x = 0; x < modules.size; x++) if (modules.get(y, x)) path += `M${x} ${y}h1v1h-1z`;
        return { size: modules.size, path };
      } catch {
        // The code and the link are shown beside it; a missing picture is no failure.
        return undefined;
      }
    },
  );
  return (
    <Show when={matrix.state === 'ready' && matrix()} fallback={<div class="qr placeholder" />}>
      {(qr) => (
        <svg
          class="qr"
          viewBox={`-4 -4 ${qr().size + 8} ${qr().size + 8}`}
          role="img"
          aria-label={props.label}
          shape-rendering="crispEdges"
        >
          <rect x="-4" y="-4" width={qr().size + 8} height={qr().size + 8} fill="#ffffff" />
          <path d={qr().path} fill="#000000" />
        </svg>
      )}
    </Show>
  );
}
