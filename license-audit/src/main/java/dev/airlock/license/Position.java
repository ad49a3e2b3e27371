package dev.airlock.license;

/** Where in a file a piece of evidence sits. */
public sealed interface Position {
  /** A place in a text file; both 1-based. */
  record LineColumn(int line, int column) implements Position {
    @Override
    public String toString() {
      return "line " + line + ", column " + column;
    }
  }

  /** A line of a text file, 1-based, when the column is not known. */
  record Line(int line) implements Position {
    @Override
    public String toString() {
      return "line " + line;
    }
  }

  /** A place in a binary file (for example a GGUF header), counted in bytes from the start. */
  record ByteOffset(long offset) implements Position {
    @Override
    public String toString() {
      return "byte " + offset;
    }
  }

  /**
   * A named place in structured data that has no line numbers once parsed: an SPDX element and
   * property ({@code SPDXRef-model#licenseDeclared}) or a metadata key ({@code general.license}).
   */
  record Path(String path) implements Position {
    @Override
    public String toString() {
      return path;
    }
  }
}
