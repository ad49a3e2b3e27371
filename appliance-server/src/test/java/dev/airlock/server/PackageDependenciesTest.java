package dev.airlock.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package of the server imports one that depends on it: the packages form a hierarchy, shared
 * vocabulary at the bottom ({@code vocabulary}), features above it, the console and the API on
 * top. Read from the sources, as a reviewer would read the imports. The one exception is the
 * entry point, {@code Application}, which dispatches to the CLI commands of the packages it starts.
 */
class PackageDependenciesTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/airlock/server");
  private static final Pattern QUALIFIED = Pattern.compile("dev\\.airlock\\.server\\.([a-z]+)\\.[A-Z]");
  private static final Pattern ROOT_IMPORT = Pattern.compile("import dev\\.airlock\\.server\\.[A-Z]\\w*;");
  private static final String ROOT = "(root)";

  @Test
  void thePackagesOfTheServerHaveNoCycle() throws IOException {
    Map<String, Set<String>> uses = uses();
    assertThat(uses).as("the server's packages, read from " + SOURCES.toAbsolutePath()).containsKeys("backend",
        "gateway", "vocabulary");
    List<List<String>> cycles = new ArrayList<>();
    for (String from : uses.keySet()) {
      for (String to : uses.get(from)) {
        List<String> back = path(uses, to, from, new TreeSet<>());
        if (back != null) {
          List<String> cycle = new ArrayList<>(List.of(from));
          cycle.addAll(back);
          cycles.add(cycle);
        }
      }
    }
    assertThat(cycles).as("package cycles (each: a package, then the path by which it is used back)").isEmpty();
  }

  @Test
  void theSharedVocabularyImportsNoOtherPackageOfTheServer() throws IOException {
    assertThat(uses().getOrDefault("vocabulary", Set.of())).isEmpty();
  }

  /** Which packages each package uses, by its files' qualified names and imports. */
  private static Map<String, Set<String>> uses() throws IOException {
    Map<String, Set<String>> uses = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (f.getFileName().toString().equals("Application.java")) continue; // the entry point
        Path dir = SOURCES.relativize(f.getParent());
        String pkg = dir.toString().isEmpty() ? ROOT : dir.toString().replace('/', '.');
        Set<String> mine = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
        String text = Files.readString(f);
        Matcher m = QUALIFIED.matcher(text);
        while (m.find()) {
          if (!m.group(1).equals(pkg)) mine.add(m.group(1));
        }
        if (!pkg.equals(ROOT) && ROOT_IMPORT.matcher(text).find()) mine.add(ROOT);
      }
    }
    return uses;
  }

  /** A path of uses from {@code from} to {@code to}, or null. */
  private static List<String> path(Map<String, Set<String>> uses, String from, String to, Set<String> seen) {
    if (from.equals(to)) return new ArrayList<>(List.of(to));
    if (!seen.add(from)) return null;
    for (String next : uses.getOrDefault(from, Set.of())) {
      List<String> rest = path(uses, next, to, seen);
      if (rest != null) {
        rest.add(0, from);
        return rest;
      }
    }
    return null;
  }

}
