/**
 * Decoding and re-encoding images, behind a port so that only one file of core touches the native
 * image library (sharp/libvips), and so a feature's tests could run without it.
 */
export interface ImageInfo {
  /** The decoder's name for the format: `png`, `jpeg`, `webp`, `gif`, `svg`, `tiff`, `heif`, … */
  format: string;
  width: number;
  height: number;
}

export interface ImageProcessor {
  /** What the bytes are, or null when they are not an image the processor can decode. */
  probe(bytes: Buffer): Promise<ImageInfo | null>;
  /**
   * The image scaled and centre-cropped to fill `size`×`size` (EXIF orientation applied), as PNG.
   * Throws {@link UndecodableImageError} when the pixels cannot be decoded (e.g. a truncated file).
   */
  squarePng(bytes: Buffer, size: number): Promise<Buffer>;
  /** Renders an SVG document (from our own code, never from a user) to PNG. */
  svgToPng(svg: string): Promise<Buffer>;
}

export class UndecodableImageError extends Error {
  override readonly name = 'UndecodableImageError';
}
