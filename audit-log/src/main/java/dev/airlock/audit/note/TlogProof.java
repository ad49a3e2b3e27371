package dev.airlock.audit.note;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A C2SP tlog-proof (c2sp.org/tlog-proof@v1): the entry's index, its inclusion proof in the
 * checkpointed tree, and the signed checkpoint, in one offline-verifiable text.
 *
 * <pre>
 * c2sp.org/tlog-proof@v1
 * [extra &lt;base64&gt;]
 * index &lt;decimal&gt;
 * &lt;base64 hash&gt;          (zero or more, leaf's sibling first)
 * (empty line)
 * &lt;signed checkpoint note, verbatim&gt;
 * </pre>
 */
public record TlogProof(Optional<byte[]> extra, long index, List<byte[]> hashes, String checkpoint) {
  public static final String HEADER = "c2sp.org/tlog-proof@v1";

  public TlogProof {
    hashes = List.copyOf(hashes);
  }

  public String format() {
    StringBuilder sb = new StringBuilder(HEADER).append('\n');
    extra.ifPresent(e -> sb.append("extra ").append(Base64.getEncoder().encodeToString(e)).append('\n'));
    sb.append("index ").append(index).append('\n');
    for (byte[] h : hashes) {
      sb.append(Base64.getEncoder().encodeToString(h)).append('\n');
    }
    return sb.append('\n').append(checkpoint).toString();
  }

  public static TlogProof parse(String text) throws NoteFormatException {
    String[] lines = text.split("\n", -1);
    int i = 0;
    if (lines.length < 4 || !lines[i++].equals(HEADER)) {
      throw new NoteFormatException("a tlog proof must start with the line '" + HEADER + "'");
    }
    Optional<byte[]> extra = Optional.empty();
    if (lines[i].startsWith("extra ")) {
      extra = Optional.of(decode(lines[i++].substring(6), "extra data"));
    }
    if (!lines[i].matches("index (0|[1-9][0-9]{0,18})")) {
      throw new NoteFormatException("expected 'index <decimal>' at line " + (i + 1) + ", got '" + lines[i] + "'");
    }
    long index = Long.parseLong(lines[i++].substring(6));
    List<byte[]> hashes = new ArrayList<>();
    while (i < lines.length && !lines[i].isEmpty()) {
      byte[] h = decode(lines[i], "proof hash at line " + (i + 1));
      if (h.length != 32) {
        throw new NoteFormatException("proof hash at line " + (i + 1) + " must be 32 bytes, got " + h.length);
      }
      hashes.add(h);
      i++;
    }
    if (i >= lines.length) {
      throw new NoteFormatException("a tlog proof needs an empty line and then the checkpoint");
    }
    String checkpoint = String.join("\n", List.of(lines).subList(i + 1, lines.length));
    return new TlogProof(extra, index, hashes, checkpoint);
  }

  private static byte[] decode(String s, String what) throws NoteFormatException {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new NoteFormatException(what + " is not valid base64");
    }
  }
}
