package dev.airlock.license;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * License text reduced to what matters for comparison: its words, in order, lower case, with
 * layout, markdown, quote styles and punctuation gone. Two texts with the same words are the same
 * license text; the share of word triples they have in common is their similarity.
 */
final class LicenseText {
  /** Word triples: long enough that common legal phrases do not make unrelated texts look alike. */
  private static final int SHINGLE = 3;

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");
  /** ScanCode's license copies start with a YAML header between two "---" lines. */
  private static final Pattern SCANCODE_HEADER =
      Pattern.compile("\\A\\s*---\\r?\\n(?:.*\\r?\\n)*?key: .*\\r?\\n(?:.*\\r?\\n)*?---\\r?\\n");

  private final List<String> words;
  private final long[] shingles;

  private LicenseText(List<String> words) {
    this.words = List.copyOf(words);
    this.shingles = shinglesOf(this.words);
  }

  static LicenseText of(String text) {
    return new LicenseText(words(stripScanCodeHeader(text)));
  }

  /** The text without a ScanCode YAML header, if it has one. */
  static String stripScanCodeHeader(String text) {
    Matcher m = SCANCODE_HEADER.matcher(text);
    return m.lookingAt() ? text.substring(m.end()) : text;
  }

  static List<String> words(String text) {
    String n = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(n);
    while (m.find()) out.add(m.group());
    return out;
  }

  List<String> words() {
    return words;
  }

  /** Same words in the same order. */
  boolean sameWordsAs(LicenseText other) {
    return words.equals(other.words);
  }

  /**
   * Dice coefficient over distinct word triples: 1.0 for the same text, near 0 for unrelated ones.
   * Cheap (one merge of two sorted arrays), so it can rank hundreds of candidates per file.
   */
  double similarity(LicenseText other) {
    long[] a = shingles;
    long[] b = other.shingles;
    if (a.length == 0 || b.length == 0) return a.length == b.length ? 1.0 : 0.0;
    int i = 0, j = 0, common = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        common++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return 2.0 * common / (a.length + b.length);
  }

  /**
   * What differs, in words a reviewer can check: sentences that were changed (old words and new
   * words, with a little context), added or removed relative to the known text. At most {@code
   * max} entries.
   */
  static List<String> differences(String scanned, String known, int max) {
    List<List<String>> added = new ArrayList<>();
    List<List<String>> missing = new ArrayList<>();
    Set<String> scannedSentences = sentences(stripScanCodeHeader(scanned));
    Set<String> knownSentences = sentences(stripScanCodeHeader(known));
    for (String s : scannedSentences) if (!knownSentences.contains(s)) added.add(List.of(s.split(" ")));
    for (String s : knownSentences) if (!scannedSentences.contains(s)) missing.add(List.of(s.split(" ")));
    List<String> out = new ArrayList<>();
    for (List<String> a : added) {
      if (out.size() >= max) return out;
      List<String> partner = null;
      double best = 0.5;
      for (List<String> m : missing) {
        double overlap = overlap(a, m);
        if (overlap > best) {
          best = overlap;
          partner = m;
        }
      }
      if (partner == null) {
        out.add("added: \"" + shorten(String.join(" ", a)) + "\"");
        continue;
      }
      missing.remove(partner);
      int prefix = 0;
      while (prefix < a.size() && prefix < partner.size() && a.get(prefix).equals(partner.get(prefix))) prefix++;
      int suffix = 0;
      while (suffix < a.size() - prefix && suffix < partner.size() - prefix
          && a.get(a.size() - 1 - suffix).equals(partner.get(partner.size() - 1 - suffix))) suffix++;
      String context = String.join(" ", a.subList(Math.max(0, prefix - CONTEXT_WORDS), prefix));
      String was = String.join(" ", partner.subList(prefix, partner.size() - suffix));
      String now = String.join(" ", a.subList(prefix, a.size() - suffix));
      out.add("changed: \"…" + context + " " + shorten(was) + "…\" to \"…" + context + " " + shorten(now) + "…\"");
    }
    for (List<String> m : missing) {
      if (out.size() >= max) return out;
      out.add("missing: \"" + shorten(String.join(" ", m)) + "\"");
    }
    return out;
  }

  /** Words shown before a change, so the reader can find it in the text. */
  private static final int CONTEXT_WORDS = 6;

  private static double overlap(List<String> a, List<String> b) {
    Set<String> sa = new java.util.HashSet<>(a);
    Set<String> sb = new java.util.HashSet<>(b);
    int common = 0;
    for (String w : sa) if (sb.contains(w)) common++;
    return (double) common / Math.max(1, Math.max(sa.size(), sb.size()));
  }

  private static Set<String> sentences(String text) {
    Set<String> out = new LinkedHashSet<>();
    for (String part : text.split("(?<=[.;:])\\s+|\\n\\s*\\n")) {
      List<String> w = words(part);
      if (w.size() >= 3) out.add(String.join(" ", w));
    }
    return out;
  }

  private static String shorten(String s) {
    return s.length() <= 120 ? s : s.substring(0, 119) + "…";
  }

  private static long[] shinglesOf(List<String> words) {
    if (words.size() < SHINGLE) {
      return words.isEmpty() ? new long[0] : new long[] {hash(words, 0, words.size())};
    }
    long[] out = new long[words.size() - SHINGLE + 1];
    for (int i = 0; i < out.length; i++) out[i] = hash(words, i, i + SHINGLE);
    return Arrays.stream(out).sorted().distinct().toArray();
  }

  /** 64-bit FNV-1a over the words: collisions are negligible at license-text sizes. */
  private static long hash(List<String> words, int from, int to) {
    long h = 0xcbf29ce484222325L;
    for (int i = from; i < to; i++) {
      String w = words.get(i);
      for (int k = 0; k < w.length(); k++) {
        h ^= w.charAt(k);
        h *= 0x100000001b3L;
      }
      h ^= ' ';
      h *= 0x100000001b3L;
    }
    return h;
  }
}
