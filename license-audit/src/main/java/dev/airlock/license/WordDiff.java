package dev.airlock.license;

import java.util.ArrayList;
import java.util.List;

/**
 * Word-level differences between two texts: Myers' O((N+M)D) diff over their words, after the
 * common start and end are set aside, grouped into hunks of changed words.
 */
final class WordDiff {
  /** Words {@code wasFrom..wasTo} of the known text became words {@code nowFrom..nowTo} of the scanned one. */
  record Hunk(int wasFrom, int wasTo, int nowFrom, int nowTo) {}

  private WordDiff() {}

  /**
   * The hunks turning {@code was} into {@code now}, hunks at most {@code mergeGap} unchanged words
   * apart merged into one; {@code null} when more than {@code maxEdits} words differ.
   */
  static List<Hunk> hunks(List<String> was, List<String> now, int maxEdits, int mergeGap) {
    int prefix = 0;
    while (prefix < was.size() && prefix < now.size() && was.get(prefix).equals(now.get(prefix))) prefix++;
    int suffix = 0;
    while (suffix < was.size() - prefix && suffix < now.size() - prefix
        && was.get(was.size() - 1 - suffix).equals(now.get(now.size() - 1 - suffix))) suffix++;
    List<String> a = was.subList(prefix, was.size() - suffix);
    List<String> b = now.subList(prefix, now.size() - suffix);
    boolean[] aEdited = new boolean[a.size()];
    boolean[] bEdited = new boolean[b.size()];
    if (!myers(a, b, maxEdits, aEdited, bEdited)) return null;
    List<Hunk> out = new ArrayList<>();
    int i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && !aEdited[i] && !bEdited[j]) {
        i++;
        j++;
        continue;
      }
      int i0 = i, j0 = j;
      while (i < a.size() && aEdited[i]) i++;
      while (j < b.size() && bEdited[j]) j++;
      Hunk h = new Hunk(prefix + i0, prefix + i, prefix + j0, prefix + j);
      if (!out.isEmpty()) {
        Hunk last = out.get(out.size() - 1);
        if (h.wasFrom() - last.wasTo() <= mergeGap && h.nowFrom() - last.nowTo() <= mergeGap) {
          out.set(out.size() - 1, new Hunk(last.wasFrom(), h.wasTo(), last.nowFrom(), h.nowTo()));
          continue;
        }
      }
      out.add(h);
    }
    return out;
  }

  /** Marks the words deleted from {@code a} and inserted into {@code b}; false beyond {@code maxEdits}. */
  private static boolean myers(List<String> a, List<String> b, int maxEdits, boolean[] aEdited, boolean[] bEdited) {
    int n = a.size(), m = b.size();
    int max = Math.min(n + m, maxEdits);
    int offset = max + 1;
    int[] v = new int[2 * max + 3];
    List<int[]> trace = new ArrayList<>();
    int found = -1;
    for (int d = 0; d <= max && found < 0; d++) {
      trace.add(v.clone());
      for (int k = -d; k <= d; k += 2) {
        int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1;
        int y = x - k;
        while (x < n && y < m && a.get(x).equals(b.get(y))) {
          x++;
          y++;
        }
        v[offset + k] = x;
        if (x >= n && y >= m) {
          found = d;
          break;
        }
      }
    }
    if (found < 0) return n + m == 0;
    // Walk back through the saved frontiers, marking each step's edit.
    int x = n, y = m;
    for (int d = found; d > 0; d--) {
      int[] pv = trace.get(d);
      int k = x - y;
      boolean down = k == -d || (k != d && pv[offset + k - 1] < pv[offset + k + 1]);
      int prevK = down ? k + 1 : k - 1;
      int prevX = pv[offset + prevK];
      int prevY = prevX - prevK;
      while (x > prevX && y > prevY && x > (down ? prevX : prevX + 1)) {
        x--;
        y--;
      }
      if (down) {
        bEdited[prevY] = true;
      } else {
        aEdited[prevX] = true;
      }
      x = prevX;
      y = prevY;
    }
    return true;
  }
}
