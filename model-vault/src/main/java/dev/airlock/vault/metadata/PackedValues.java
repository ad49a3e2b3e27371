package dev.airlock.vault.metadata;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A read-only list of GGUF numbers or booleans kept in a primitive array of the file's width, so
 * a 260k-entry score array takes 1 MB rather than 8 MB of boxed values. {@code get} returns the
 * representation {@link GgufValue} documents ({@code Long}, {@code Double}, {@code Boolean}).
 */
final class PackedValues extends AbstractList<Object> implements RandomAccess {
  private final GgufValueType type;
  private final Object array;
  private final int size;

  private PackedValues(GgufValueType type, Object array, int size) {
    this.type = type;
    this.array = array;
    this.size = size;
  }

  static boolean packs(GgufValueType type) {
    return type != GgufValueType.STRING && type != GgufValueType.ARRAY;
  }

  /** Bytes of heap one element takes. */
  static int elementBytes(GgufValueType type) {
    return switch (type) {
      case UINT8, INT8, BOOL -> 1;
      case UINT16, INT16 -> 2;
      case UINT32, INT32, FLOAT32 -> 4;
      default -> 8;
    };
  }

  static PackedValues read(BoundedChannelReader in, GgufValueType type, int n, String key) throws java.io.IOException {
    String what = "element of " + key;
    return switch (type) {
      case UINT8, INT8, BOOL -> {
        byte[] a = in.bytes(n, what);
        if (type == GgufValueType.BOOL) {
          for (byte b : a) {
            if (b != 0 && b != 1) throw new IllegalStateException("'" + key + "' is a BOOL array holding " + (b & 0xff));
          }
        }
        yield new PackedValues(type, a, n);
      }
      case UINT16, INT16 -> {
        short[] a = new short[n];
        for (int i = 0; i < n; i++) a[i] = in.i16(what);
        yield new PackedValues(type, a, n);
      }
      case UINT32, INT32 -> {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = in.i32(what);
        yield new PackedValues(type, a, n);
      }
      case FLOAT32 -> {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = in.f32(what);
        yield new PackedValues(type, a, n);
      }
      case UINT64, INT64 -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = in.i64(what);
        yield new PackedValues(type, a, n);
      }
      case FLOAT64 -> {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = in.f64(what);
        yield new PackedValues(type, a, n);
      }
      default -> throw new IllegalArgumentException(type + " values are not packed");
    };
  }

  static PackedValues ofFloats(float[] values) {
    return new PackedValues(GgufValueType.FLOAT32, values.clone(), values.length);
  }

  static PackedValues ofInts(int[] values) {
    return new PackedValues(GgufValueType.INT32, values.clone(), values.length);
  }

  @Override
  public Object get(int i) {
    java.util.Objects.checkIndex(i, size);
    return switch (type) {
      case UINT8 -> (long) (((byte[]) array)[i] & 0xff);
      case INT8 -> (long) ((byte[]) array)[i];
      case BOOL -> ((byte[]) array)[i] == 1;
      case UINT16 -> (long) (((short[]) array)[i] & 0xffff);
      case INT16 -> (long) ((short[]) array)[i];
      case UINT32 -> ((int[]) array)[i] & 0xffff_ffffL;
      case INT32 -> (long) ((int[]) array)[i];
      case FLOAT32 -> (double) ((float[]) array)[i];
      case UINT64, INT64 -> ((long[]) array)[i];
      case FLOAT64 -> ((double[]) array)[i];
      default -> throw new IllegalStateException(type + " values are not packed");
    };
  }

  @Override
  public int size() {
    return size;
  }
}
