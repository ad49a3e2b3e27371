package dev.airlock.vault.metadata;

/** The metadata value types of GGUF (ggml docs/gguf.md, {@code gguf_metadata_value_type}). */
public enum GgufValueType {
  UINT8(0, 1),
  INT8(1, 1),
  UINT16(2, 2),
  INT16(3, 2),
  UINT32(4, 4),
  INT32(5, 4),
  FLOAT32(6, 4),
  BOOL(7, 1),
  STRING(8, 8),
  ARRAY(9, 12),
  UINT64(10, 8),
  INT64(11, 8),
  FLOAT64(12, 8);

  private final int id;
  private final int minBytes;

  GgufValueType(int id, int minBytes) {
    this.id = id;
    this.minBytes = minBytes;
  }

  /** The id written in the file. */
  public int id() {
    return id;
  }

  /** The fewest bytes one value of this type occupies (a string or array: its length prefix). */
  int minBytes() {
    return minBytes;
  }

  static GgufValueType ofId(int id) {
    for (GgufValueType t : values()) {
      if (t.id == id) return t;
    }
    throw new IllegalArgumentException("unknown GGUF value type id " + Integer.toUnsignedString(id));
  }
}
