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
    String n = Normalizer.normalize(withoutFormatting(text), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(n);
    while (m.find()) out.add(m.group());
    return out;
  }

  /** Markdown links {@code [text](target)}: the reader sees the text, so only the text counts. */
  private static final Pattern MARKDOWN_LINK = Pattern.compile("!?\\[([^\\]\\n]*)\\]\\(\\s*<?[^)\\s>]*>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  /** Autolinks {@code <https://...>} and HTML tags such as {@code <br>} or {@code <u>}. */
  private static final Pattern AUTOLINK = Pattern.compile("<((?:https?|mailto):[^>\\s]+)>");
  private static final Pattern HTML_TAG = Pattern.compile("</?[a-zA-Z][a-zA-Z0-9]*(?:\\s[^<>]*)?/?>");
  /** Scheme, {@code www.} and a trailing slash: publishers and ScanCode spell the same link both ways. */
  private static final Pattern URL = Pattern.compile("(?i)\\b(?:https?://)?(?:www\\.)?((?:[a-z0-9-]+\\.)+[a-z]{2,}(?:/[^\\s)\\]>\"'“”]*?)?)/?(?=[.,;:]?(?:[\\s)\\]>\"'“”]|$))");
  /** The same URL twice in a row, as a rendered link and its target: "x.com (x.com)". */
  private static final Pattern REPEATED_URL = Pattern.compile("(?i)(\\b[a-z0-9-]+(?:\\.[a-z0-9-]+)+/\\S*?|\\b[a-z0-9-]+(?:\\.[a-z0-9-]+)+)([\\s(\\[<]*)\\1[)\\]>]*");
  /**
   * A list marker or heading wherever it stands on its own between white space: bullets, "1.",
   * "1\\.", "(a)", "iv)", "#". Lists are renumbered and re-bulleted when a text is copied, and a
   * rewrapped copy puts a marker mid-line where nothing tells it from a number ending a sentence
   * ("version 2."); so every such token goes, from both texts alike, and the comparison of what
   * remains is still word for word.
   */
  private static final Pattern LINE_MARKER = Pattern.compile(
      "(?m)(?:^|(?<=\\s))[ \\t>]*(?:#{1,6}|[-*+•·▪◦‣–—]|\\(?(?:\\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})\\\\?[.)](?:\\*\\*|__)?)(?=\\s|$)");
  /** Soft hyphens and zero-width characters: invisible, but they split a word in two. */
  private static final Pattern INVISIBLE = Pattern.compile("[\\u00AD\\u200B-\\u200D\\u2060\\uFEFF]");

  /**
   * The text with what a copy changes without changing the words removed: markdown link targets
   * and repeated URLs, URL spelling, list markers and headings, HTML tags and entities, invisible
   * characters. Emphasis, quote and dash styles and line wrapping need nothing here: only letters
   * and digits are words.
   */
  static String withoutFormatting(String text) {
    String t = INVISIBLE.matcher(text).replaceAll("");
    t = t.replace("&nbsp;", " ").replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'")
        .replace("&lt;", "<").replace("&gt;", ">");
    t = MARKDOWN_LINK.matcher(t).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
    t = AUTOLINK.matcher(t).replaceAll("$1");
    t = HTML_TAG.matcher(t).replaceAll(" ");
    t = URL.matcher(t).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
    t = REPEATED_URL.matcher(t).replaceAll("$1");
    // Twice: "1. a. Grant" carries two markers.
    for (int i = 0; i < 2; i++) t = LINE_MARKER.matcher(t).replaceAll(" ");
    return t;
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
   * What differs, in words a reviewer can check: runs of words changed, added or removed relative
   * to the known text, from a word-level diff of the two texts after {@link #withoutFormatting}.
   * At most {@code max} entries, largest first.
   */
  static List<String> differences(String scanned, String known, int max) {
    Tokens now = Tokens.of(stripScanCodeHeader(scanned));
    Tokens was = Tokens.of(stripScanCodeHeader(known));
    List<WordDiff.Hunk> hunks = WordDiff.hunks(was.words, now.words, MAX_EDITS, MERGE_GAP);
    if (hunks == null) return sentenceDifferences(scanned, known, max);
    List<WordDiff.Hunk> shown = new ArrayList<>(hunks);
    shown.sort(java.util.Comparator.comparingInt((WordDiff.Hunk h) -> -(h.wasTo() - h.wasFrom() + h.nowTo() - h.nowFrom())));
    shown = new ArrayList<>(shown.subList(0, Math.min(max, shown.size())));
    shown.sort(java.util.Comparator.comparingInt(WordDiff.Hunk::wasFrom));
    List<String> out = new ArrayList<>();
    for (WordDiff.Hunk h : shown) {
      if (h.wasFrom() == h.wasTo()) {
        out.add("added: \"" + now.firstSentence(h.nowFrom(), h.nowTo()) + "\"");
      } else if (h.nowFrom() == h.nowTo()) {
        out.add("missing: \"" + was.firstSentence(h.wasFrom(), h.wasTo()) + "\"");
      } else {
        String context = String.join(" ", was.words.subList(Math.max(0, h.wasFrom() - CONTEXT_WORDS), h.wasFrom()));
        out.add("changed: \"…" + context + " " + shorten(String.join(" ", was.words.subList(h.wasFrom(), h.wasTo())))
            + "…\" to \"…" + context + " " + shorten(String.join(" ", now.words.subList(h.nowFrom(), h.nowTo()))) + "…\"");
      }
    }
    return out;
  }

  /**
   * Beyond this many edited words the texts are different licenses, not an edited copy, and the
   * diff's cost (edits times length) is not worth paying: sentences are compared instead.
   */
  private static final int MAX_EDITS = 600;
  /** Edits separated by this few unchanged words read as one change ("700 million" to "7 billion"). */
  private static final int MERGE_GAP = 2;

  /** A text's words with the positions where sentences start, to quote a removed run by its first sentence. */
  private record Tokens(List<String> words, java.util.BitSet sentenceStarts) {
    private static final Pattern BOUNDARY = Pattern.compile("[.;:]\\s+|\\n\\s*\\n");

    static Tokens of(String text) {
      List<String> words = new ArrayList<>();
      java.util.BitSet starts = new java.util.BitSet();
      starts.set(0);
      for (String sentence : BOUNDARY.split(withoutFormatting(text))) {
        List<String> w = LicenseText.words(sentence);
        if (w.isEmpty()) continue;
        starts.set(words.size());
        words.addAll(w);
      }
      return new Tokens(words, starts);
    }

    /** The words from {@code from} up to the next sentence start, with how many more follow. */
    String firstSentence(int from, int to) {
      int end = sentenceStarts.nextSetBit(from + 1);
      if (end < 0 || end > to) end = to;
      String first = shorten(String.join(" ", words.subList(from, end)));
      return end < to ? first + "\" and " + (to - end) + " more words, to \"" + shorten(lastWords(to)) : first;
    }

    private String lastWords(int to) {
      return String.join(" ", words.subList(Math.max(0, to - CONTEXT_WORDS), to));
    }
  }

  /** The comparison before word-level diffs, kept for texts too different to diff. */
  private static List<String> sentenceDifferences(String scanned, String known, int max) {
    List<List<String>> added = new ArrayList<>();
    List<List<String>> missing = new ArrayList<>();
    Set<String> scannedSentences = sentences(stripScanCodeHeader(scanned));
    Set<String> knownSentences = sentences(stripScanCodeHeader(known));
    for (String s : scannedSentences) if (!knownSentences.contains(s)) added.add(List.of(s.split(" ")));
    for (String s : knownSentences) if (!scannedSentences.contains(s)) missing.add(List.of(s.split(" ")));
    List<String> out = new ArrayList<>();
    for (List<String> a : added) {
      if (out.size() >= max) return out;
      out.add("added: \"" + shorten(String.join(" ", a)) + "\"");
    }
    for (List<String> m : missing) {
      if (out.size() >= max) return out;
      out.add("missing: \"" + shorten(String.join(" ", m)) + "\"");
    }
    return out;
  }

  /** Words shown before a change, so the reader can find it in the text. */
  private static final int CONTEXT_WORDS = 6;

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
