package dev.airlock.audit.note;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A C2SP signed note (c2sp.org/signed-note): a text ending in a newline, a blank line, then one or
 * more lines {@code "— <key name> <base64(key id || signature)>"}. The text the signatures cover
 * includes its final newline but not the blank line; the text is separated from the signatures by
 * the last blank line.
 */
public record SignedNote(String text, List<Signature> signatures) {
  /** U+2014 EM DASH and a space: how every signature line starts. */
  static final String SIGNATURE_PREFIX = "\u2014 ";

  /** The spec asks verifiers to accept at least 16; more is a sign of abuse. */
  static final int MAX_SIGNATURES = 100;

  /** One signature line: the key's name, its 4-byte id and the raw signature bytes. */
  public record Signature(String keyName, int keyId, byte[] signature) {
    public String line() {
      byte[] blob = new byte[4 + signature.length];
      blob[0] = (byte) (keyId >>> 24);
      blob[1] = (byte) (keyId >>> 16);
      blob[2] = (byte) (keyId >>> 8);
      blob[3] = (byte) keyId;
      System.arraycopy(signature, 0, blob, 4, signature.length);
      return SIGNATURE_PREFIX + keyName + " " + Base64.getEncoder().encodeToString(blob) + "\n";
    }
  }

  public SignedNote {
    signatures = List.copyOf(signatures);
  }

  /** The wire form: text, blank line, signature lines. */
  public String format() {
    StringBuilder sb = new StringBuilder(text).append('\n');
    for (Signature s : signatures) {
      sb.append(s.line());
    }
    return sb.toString();
  }

  /** Parses the wire form; checks syntax only (see {@link NoteVerifier} for the signatures). */
  public static SignedNote parse(String note) throws NoteFormatException {
    for (int i = 0; i < note.length(); i++) {
      char c = note.charAt(i);
      if (c < 0x20 && c != '\n') {
        throw new NoteFormatException("signed note contains control character 0x"
            + Integer.toHexString(c) + " at offset " + i + "; only newlines are allowed");
      }
    }
    if (!note.endsWith("\n")) {
      throw new NoteFormatException("signed note must end with a newline");
    }
    int split = note.lastIndexOf("\n\n");
    if (split < 0) {
      throw new NoteFormatException("signed note has no blank line between its text and its signatures");
    }
    String text = note.substring(0, split + 1);
    String sigs = note.substring(split + 2);
    List<Signature> out = new ArrayList<>();
    for (String line : sigs.split("\n", -1)) {
      if (line.isEmpty()) {
        continue; // only the final newline produces an empty piece: lastIndexOf("\n\n") guarantees it
      }
      if (!line.startsWith(SIGNATURE_PREFIX)) {
        throw new NoteFormatException("signature line must start with an em dash and a space, got: " + line);
      }
      String rest = line.substring(SIGNATURE_PREFIX.length());
      int space = rest.indexOf(' ');
      if (space <= 0 || rest.indexOf(' ', space + 1) >= 0) {
        throw new NoteFormatException("signature line must be '— <key name> <base64 signature>', got: " + line);
      }
      String name = rest.substring(0, space);
      byte[] blob;
      try {
        blob = Base64.getDecoder().decode(rest.substring(space + 1));
      } catch (IllegalArgumentException e) {
        throw new NoteFormatException("signature of key '" + name + "' is not valid base64");
      }
      if (blob.length < 5) {
        throw new NoteFormatException("signature of key '" + name + "' is " + blob.length
            + " bytes; it must hold a 4-byte key id and a signature");
      }
      int id = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
      byte[] sig = java.util.Arrays.copyOfRange(blob, 4, blob.length);
      out.add(new Signature(name, id, sig));
      if (out.size() > MAX_SIGNATURES) {
        throw new NoteFormatException("signed note has more than " + MAX_SIGNATURES + " signatures");
      }
    }
    if (out.isEmpty()) {
      throw new NoteFormatException("signed note has no signature lines");
    }
    return new SignedNote(text, out);
  }

  byte[] textBytes() {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
