package dev.airlock.vault.signing;

import dev.airlock.vault.Sha256;
import java.util.Comparator;
import java.util.List;

/**
 * One signed item: a file ({@code path}) or a shard of one ({@code path:start:end}), with its
 * SHA-256.
 */
public record Resource(String name, Sha256 digest) {
  /**
   * The reference tool's canonical order: by path components (code point order per component),
   * then by shard start and end as numbers.
   */
  static final Comparator<Resource> CANONICAL_ORDER = Comparator.comparing(
      (Resource r) -> r.sortKey(), Resource::compareKeys);

  private record SortKey(List<String> parts, long start, long end) {}

  private SortKey sortKey() {
    String path = name;
    long start = 0;
    long end = 0;
    String[] pieces = name.split(":", -1);
    if (pieces.length == 3 && isNumber(pieces[1]) && isNumber(pieces[2])) {
      path = pieces[0];
      start = Long.parseLong(pieces[1]);
      end = Long.parseLong(pieces[2]);
    }
    return new SortKey(List.of(path.split("/")), start, end);
  }

  private static int compareKeys(SortKey a, SortKey b) {
    for (int i = 0; i < Math.min(a.parts.size(), b.parts.size()); i++) {
      int c = compareCodePoints(a.parts.get(i), b.parts.get(i));
      if (c != 0) return c;
    }
    int c = Integer.compare(a.parts.size(), b.parts.size());
    if (c != 0) return c;
    c = Long.compare(a.start, b.start);
    return c != 0 ? c : Long.compare(a.end, b.end);
  }

  private static int compareCodePoints(String a, String b) {
    int[] x = a.codePoints().toArray();
    int[] y = b.codePoints().toArray();
    return java.util.Arrays.compare(x, y);
  }

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
  }
}
