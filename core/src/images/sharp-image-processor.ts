import type { Sharp, SharpOptions } from 'sharp';
import { UndecodableImageError, type ImageInfo, type ImageProcessor } from './image-processor.port.js';

type SharpFactory = (input?: Buffer, options?: SharpOptions) => Sharp;

let loaded: Promise<SharpFactory> | undefined;

/**
 * sharp (libvips) is loaded on first use, not when core is imported: the CLI's maintenance commands and
 * every route that shows no image never pay for loading the native library.
 */
function loadSharp(): Promise<SharpFactory> {
  loaded ??= import('sharp').then((m) => m.default as unknown as SharpFactory);
  return loaded;
}

/**
 * Decompression bombs: a 2 MiB PNG of one colour can claim 30,000×30,000 pixels. 25 megapixels (about
 * 100 MB decoded) is far beyond any profile picture and well under sharp's default of 268 megapixels.
 */
const MAX_INPUT_PIXELS = 25_000_000;

/** {@link ImageProcessor} on sharp 0.34. */
export class SharpImageProcessor implements ImageProcessor {
  async probe(bytes: Buffer): Promise<ImageInfo | null> {
    const sharp = await loadSharp();
    try {
      const meta = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
      if (!meta.format || !meta.width || !meta.height) return null;
      return { format: meta.format, width: meta.width, height: meta.height };
    } catch {
      return null;
    }
  }

  async squarePng(bytes: Buffer, size: number): Promise<Buffer> {
    const sharp = await loadSharp();
    try {
      return await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
        .rotate()
        .resize(size, size, { fit: 'cover', position: 'centre' })
        .png()
        .toBuffer();
    } catch (error) {
      throw new UndecodableImageError((error as Error).message, { cause: error });
    }
  }

  async svgToPng(svg: string): Promise<Buffer> {
    const sharp = await loadSharp();
    return sharp(Buffer.from(svg, 'utf8')).png().toBuffer();
  }
}
