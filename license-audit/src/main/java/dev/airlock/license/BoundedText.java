package dev.airlock.license;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A text file read with a size limit, so that a huge or hostile file named LICENSE cannot exhaust
 * memory, and checked to be text, so that binary junk is reported instead of matched.
 */
sealed interface BoundedText {
  /** @param truncated the file is longer than the limit; {@code text} is its beginning */
  record Text(String text, boolean truncated, long size) implements BoundedText {}

  /** @param reason what was found instead of text, for the user */
  record NotText(String reason, long size) implements BoundedText {}

  /** Bytes looked at to decide whether a file is binary: enough to see any header. */
  int SNIFF = 8192;

  static BoundedText read(Path file, int maxBytes) throws IOException {
    long size = Files.size(file);
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(maxBytes);
    }
    boolean truncated = size > bytes.length;
    int sniff = Math.min(bytes.length, SNIFF);
    for (int i = 0; i < sniff; i++) {
      if (bytes[i] == 0) return new NotText("binary data (a NUL byte at offset " + i + ")", size);
    }
    int length = bytes.length;
    if (truncated) length = cutToCharBoundary(bytes, length);
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, length))
          .toString();
      if (!text.isEmpty() && text.charAt(0) == '\uFEFF') text = text.substring(1);
      int control = 0;
      for (int i = 0; i < Math.min(text.length(), SNIFF); i++) {
        char c = text.charAt(i);
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') control++;
      }
      if (control > Math.min(text.length(), SNIFF) / 20) {
        return new NotText("binary data (" + control + " control characters in the first " + SNIFF + " bytes)", size);
      }
      return new Text(text, truncated, size);
    } catch (CharacterCodingException e) {
      return new NotText("bytes that are not UTF-8 text", size);
    }
  }

  /** Steps back over a UTF-8 sequence the size limit may have cut in half (drops at most one character). */
  private static int cutToCharBoundary(byte[] b, int length) {
    int i = length;
    while (i > 0 && (b[i - 1] & 0xC0) == 0x80) i--;
    if (i > 0 && (b[i - 1] & 0x80) != 0) i--;
    return i;
  }
}
