package dev.asyncjobs.generators.openai.internal;

import org.jspecify.annotations.Nullable;

/**
 * The image formats kept in the artifact store, told apart by their first bytes (their magic
 * numbers), never by a Content-Type header, which the sender chooses.
 */
enum ImageFormat {
  PNG("png", "image/png"),
  JPEG("jpg", "image/jpeg"),
  WEBP("webp", "image/webp"),
  GIF("gif", "image/gif");

  /** How many first bytes {@link #sniff} needs to tell every format apart. */
  static final int SNIFF_BYTES = 12;

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};

  final String extension;
  final String contentType;

  ImageFormat(String extension, String contentType) {
    this.extension = extension;
    this.contentType = contentType;
  }

  /** The format of {@code b} (an image, or at least its first {@link #SNIFF_BYTES}), or {@code null}. */
  static @Nullable ImageFormat sniff(byte[] b) {
    return sniff(b, b.length);
  }

  /** As {@link #sniff(byte[])} for the first {@code length} bytes of {@code b}. */
  static @Nullable ImageFormat sniff(byte[] b, int length) {
    if (startsWith(b, length, PNG_SIGNATURE)) {
      return PNG;
    }
    if (length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
      return JPEG;
    }
    if (length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
        && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
      return WEBP;
    }
    if (length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8' && (b[4] == '7' || b[4] == '9')
        && b[5] == 'a') {
      return GIF;
    }
    return null;
  }

  private static boolean startsWith(byte[] b, int length, byte[] prefix) {
    if (length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
