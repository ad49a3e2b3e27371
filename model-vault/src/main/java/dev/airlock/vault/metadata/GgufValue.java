package dev.airlock.vault.metadata;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One GGUF metadata value with its type as written. Integers of every width are held as
 * {@code Long} (UINT64 as its two's-complement bits), floats as {@code Double}, booleans as
 * {@code Boolean}, strings as {@code String}, arrays as {@link Array}.
 */
public record GgufValue(GgufValueType type, Object value) {

  /** An array of values of one element type; nested arrays hold {@code Array} elements. */
  public record Array(GgufValueType elementType, List<Object> elements) {
    public Array {
      Objects.requireNonNull(elementType, "elementType");
      // Packed numbers are already immutable and typed; anything else is copied.
      elements = elements instanceof PackedValues ? elements : List.copyOf(elements);
    }

    public int size() {
      return elements.size();
    }
  }

  public GgufValue {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
    checkRepresentation(type, value);
  }

  public static GgufValue uint8(int v) {
    return new GgufValue(GgufValueType.UINT8, checkRange(v, 0, 0xff));
  }

  public static GgufValue int8(int v) {
    return new GgufValue(GgufValueType.INT8, checkRange(v, Byte.MIN_VALUE, Byte.MAX_VALUE));
  }

  public static GgufValue uint16(int v) {
    return new GgufValue(GgufValueType.UINT16, checkRange(v, 0, 0xffff));
  }

  public static GgufValue int16(int v) {
    return new GgufValue(GgufValueType.INT16, checkRange(v, Short.MIN_VALUE, Short.MAX_VALUE));
  }

  public static GgufValue uint32(long v) {
    return new GgufValue(GgufValueType.UINT32, checkRange(v, 0, 0xffff_ffffL));
  }

  public static GgufValue int32(int v) {
    return new GgufValue(GgufValueType.INT32, (long) v);
  }

  public static GgufValue uint64(long v) {
    return new GgufValue(GgufValueType.UINT64, v);
  }

  public static GgufValue int64(long v) {
    return new GgufValue(GgufValueType.INT64, v);
  }

  public static GgufValue float32(float v) {
    return new GgufValue(GgufValueType.FLOAT32, (double) v);
  }

  public static GgufValue float64(double v) {
    return new GgufValue(GgufValueType.FLOAT64, v);
  }

  public static GgufValue bool(boolean v) {
    return new GgufValue(GgufValueType.BOOL, v);
  }

  public static GgufValue string(String v) {
    return new GgufValue(GgufValueType.STRING, v);
  }

  /** An array of strings, e.g. {@code tokenizer.ggml.tokens}. */
  public static GgufValue strings(List<String> values) {
    return array(GgufValueType.STRING, values);
  }

  /** An array of FLOAT32, e.g. {@code tokenizer.ggml.scores}. */
  public static GgufValue float32s(float[] values) {
    return new GgufValue(GgufValueType.ARRAY, new Array(GgufValueType.FLOAT32, PackedValues.ofFloats(values)));
  }

  /** An array of INT32, e.g. {@code tokenizer.ggml.token_type}. */
  public static GgufValue int32s(int[] values) {
    return new GgufValue(GgufValueType.ARRAY, new Array(GgufValueType.INT32, PackedValues.ofInts(values)));
  }

  /**
   * An array of any element type; elements use the representation described on this record
   * (integers may also be given as {@code Integer}, FLOAT32 as {@code Float}).
   */
  public static GgufValue array(GgufValueType elementType, List<?> values) {
    Object[] normal = new Object[values.size()];
    for (int i = 0; i < normal.length; i++) normal[i] = normalise(elementType, values.get(i));
    return new GgufValue(GgufValueType.ARRAY, new Array(elementType, List.of(normal)));
  }

  /** The value as text, if it is a string. */
  public Optional<String> asString() {
    return value instanceof String s ? Optional.of(s) : Optional.empty();
  }

  /** The value as a number, if it is an integer of any width. */
  public OptionalLong asLong() {
    return value instanceof Long l ? OptionalLong.of(l) : OptionalLong.empty();
  }

  public OptionalDouble asDouble() {
    return value instanceof Double d ? OptionalDouble.of(d) : OptionalDouble.empty();
  }

  public Optional<Array> asArray() {
    return value instanceof Array a ? Optional.of(a) : Optional.empty();
  }

  /** A short rendering for evidence and messages; long strings and arrays are abbreviated. */
  public String excerpt() {
    return switch (value) {
      case String s -> '"' + (s.length() > 200 ? s.substring(0, 200) + "..." : s) + '"';
      case Array a -> a.elementType() + "[" + a.size() + "]";
      default -> String.valueOf(value);
    };
  }

  private static Object normalise(GgufValueType type, Object v) {
    Object n =
        switch (type) {
          case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 ->
              v instanceof Integer i ? (Object) (long) i : v;
          case FLOAT32, FLOAT64 -> v instanceof Float f ? (Object) (double) f : v;
          default -> v;
        };
    checkRepresentation(type, n);
    return n;
  }

  private static void checkRepresentation(GgufValueType type, Object v) {
    boolean ok =
        switch (type) {
          case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> v instanceof Long;
          case FLOAT32, FLOAT64 -> v instanceof Double;
          case BOOL -> v instanceof Boolean;
          case STRING -> v instanceof String;
          case ARRAY -> v instanceof Array;
        };
    if (!ok) {
      throw new IllegalArgumentException(
          "a GGUF " + type + " value cannot be a " + (v == null ? "null" : v.getClass().getSimpleName()));
    }
  }

  private static long checkRange(long v, long min, long max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(v + " is outside the range " + min + ".." + max);
    }
    return v;
  }
}
