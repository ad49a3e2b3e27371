package dev.airlock.audit.note;

import java.util.Base64;
import java.util.List;

/**
 * A C2SP tlog-checkpoint note text: the origin line, the tree size in decimal (no leading zeros),
 * the base64 root hash, then optional extension lines. Airlock writes no extension lines and
 * ignores any it reads.
 */
public record CheckpointBody(String origin, long size, byte[] rootHash, List<String> extensions) {
  public CheckpointBody {
    extensions = List.copyOf(extensions);
    rootHash = rootHash.clone();
  }

  public CheckpointBody(String origin, long size, byte[] rootHash) {
    this(origin, size, rootHash, List.of());
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  public String format() {
    StringBuilder sb = new StringBuilder()
        .append(origin).append('\n')
        .append(size).append('\n')
        .append(Base64.getEncoder().encodeToString(rootHash)).append('\n');
    for (String e : extensions) {
      sb.append(e).append('\n');
    }
    return sb.toString();
  }

  public static CheckpointBody parse(String text) throws NoteFormatException {
    if (!text.endsWith("\n")) {
      throw new NoteFormatException("checkpoint text must end with a newline");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length < 3) {
      throw new NoteFormatException("checkpoint must have at least 3 lines (origin, size, root), got " + lines.length);
    }
    if (lines[0].isEmpty()) {
      throw new NoteFormatException("checkpoint origin line is empty");
    }
    if (!lines[1].matches("0|[1-9][0-9]{0,18}")) {
      throw new NoteFormatException("checkpoint size must be a decimal without leading zeros, got '" + lines[1] + "'");
    }
    long size = Long.parseLong(lines[1]);
    byte[] root;
    try {
      root = Base64.getDecoder().decode(lines[2]);
    } catch (IllegalArgumentException e) {
      throw new NoteFormatException("checkpoint root is not valid base64: '" + lines[2] + "'");
    }
    if (root.length != 32) {
      throw new NoteFormatException("checkpoint root must be a 32-byte hash, got " + root.length + " bytes");
    }
    List<String> ext = List.of(lines).subList(3, lines.length);
    for (String e : ext) {
      if (e.isEmpty()) {
        throw new NoteFormatException("checkpoint extension lines must not be empty");
      }
    }
    return new CheckpointBody(lines[0], size, root, ext);
  }
}
