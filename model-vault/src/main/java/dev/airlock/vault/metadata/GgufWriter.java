package dev.airlock.vault.metadata;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a GGUF version 3 file: metadata key/values of every type (arrays of strings included,
 * as tokenizers need), tensor infos, and tensor data aligned to {@code general.alignment} (32 when
 * absent). Tensors are given as F32 or F16 from floats, or as raw bytes of any ggml type.
 *
 * <p>Made to build small models in memory (test fixtures, the demo's tiny model): everything is
 * held until {@link #writeTo} is called.
 */
public final class GgufWriter {
  /** The GGUF version written; readers from mid-2023 on understand it. */
  public static final int VERSION = 3;

  private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
  private final List<PendingTensor> tensors = new ArrayList<>();

  private record PendingTensor(String name, long[] dims, GgmlType type, byte[] data) {}

  /** Sets a metadata key (keeping its first position if set again). */
  public GgufWriter put(String key, GgufValue value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (key.equals("general.alignment")) {
      long a = value.asLong().orElse(-1);
      if (value.type() != GgufValueType.UINT32 || a <= 0 || Long.bitCount(a) != 1) {
        throw new IllegalArgumentException("general.alignment must be a UINT32 power of two, got " + value);
      }
    }
    metadata.put(key, value);
    return this;
  }

  public GgufWriter putString(String key, String value) {
    return put(key, GgufValue.string(value));
  }

  public GgufWriter putUint32(String key, long value) {
    return put(key, GgufValue.uint32(value));
  }

  public GgufWriter putFloat32(String key, float value) {
    return put(key, GgufValue.float32(value));
  }

  /**
   * Adds a tensor from floats, stored as F32 or F16.
   *
   * @param dims dimensions innermost first (ggml order: for a matrix, columns then rows)
   */
  public GgufWriter addTensor(String name, GgmlType type, long[] dims, float[] values) {
    long count = elementCount(name, dims);
    if (count != values.length) {
      throw new IllegalArgumentException(
          "tensor '" + name + "' has " + count + " elements by its dimensions but " + values.length + " values were given");
    }
    ByteBuffer buf;
    switch (type) {
      case F32 -> {
        buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) buf.putFloat(v);
      }
      case F16 -> {
        buf = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) buf.putShort(Float.floatToFloat16(v));
      }
      default ->
          throw new IllegalArgumentException(
              "floats can be stored as F32 or F16; give " + type + " data as raw bytes");
    }
    return addTensor(name, type, dims, buf.array());
  }

  /** Adds a tensor from raw bytes already in {@code type}'s layout. */
  public GgufWriter addTensor(String name, GgmlType type, long[] dims, byte[] data) {
    Objects.requireNonNull(name, "name");
    if (dims.length < 1 || dims.length > GgufReader.MAX_DIMENSIONS) {
      throw new IllegalArgumentException("tensor '" + name + "' needs 1 to 4 dimensions, got " + dims.length);
    }
    long expected = type.bytesFor(elementCount(name, dims));
    if (expected != data.length) {
      throw new IllegalArgumentException(
          "tensor '" + name + "' of type " + type + " and dimensions " + java.util.Arrays.toString(dims)
              + " takes " + expected + " bytes, but " + data.length + " were given");
    }
    for (PendingTensor t : tensors) {
      if (t.name().equals(name)) throw new IllegalArgumentException("tensor '" + name + "' was already added");
    }
    tensors.add(new PendingTensor(name, dims.clone(), type, data.clone()));
    return this;
  }

  /** Writes the file (replacing any file at {@code path}). */
  public void writeTo(Path path) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16)) {
      writeTo(out);
    }
  }

  public byte[] toByteArray() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  /** Writes the file to {@code out}; the caller closes it. */
  public void writeTo(OutputStream out) throws IOException {
    long alignment =
        metadata.containsKey("general.alignment")
            ? metadata.get("general.alignment").asLong().orElseThrow()
            : GgufFile.DEFAULT_ALIGNMENT;
    LittleEndianOutput le = new LittleEndianOutput(out);
    le.u32(GgufReader.MAGIC);
    le.u32(VERSION);
    le.u64(tensors.size());
    le.u64(metadata.size());
    for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
      le.string(e.getKey());
      le.u32(e.getValue().type().id());
      writeValue(le, e.getValue().type(), e.getValue().value());
    }
    long offset = 0;
    List<Long> offsets = new ArrayList<>();
    for (PendingTensor t : tensors) {
      offsets.add(offset);
      offset = GgufReader.alignUp(offset + t.data().length, alignment);
    }
    for (int i = 0; i < tensors.size(); i++) {
      PendingTensor t = tensors.get(i);
      le.string(t.name());
      le.u32(t.dims().length);
      for (long d : t.dims()) le.u64(d);
      le.u32(t.type().id());
      le.u64(offsets.get(i));
    }
    le.pad(alignment);
    for (PendingTensor t : tensors) {
      le.bytes(t.data());
      le.pad(alignment);
    }
    out.flush();
  }

  private static void writeValue(LittleEndianOutput le, GgufValueType type, Object value) throws IOException {
    switch (type) {
      case UINT8, INT8 -> le.u8((int) (long) (Long) value);
      case BOOL -> le.u8((Boolean) value ? 1 : 0);
      case UINT16, INT16 -> le.u16((int) (long) (Long) value);
      case UINT32, INT32 -> le.u32((int) (long) (Long) value);
      case UINT64, INT64 -> le.u64((Long) value);
      case FLOAT32 -> le.u32(Float.floatToRawIntBits((float) (double) (Double) value));
      case FLOAT64 -> le.u64(Double.doubleToRawLongBits((Double) value));
      case STRING -> le.string((String) value);
      case ARRAY -> {
        GgufValue.Array a = (GgufValue.Array) value;
        le.u32(a.elementType().id());
        le.u64(a.size());
        for (Object element : a.elements()) writeValue(le, a.elementType(), element);
      }
    }
  }

  private static long elementCount(String name, long[] dims) {
    long n = 1;
    for (long d : dims) {
      if (d <= 0) throw new IllegalArgumentException("tensor '" + name + "' has a dimension " + d + "; dimensions are at least 1");
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Little-endian primitives over a stream, counting bytes for padding. */
  private static final class LittleEndianOutput {
    private final OutputStream out;
    private final byte[] scratch = new byte[8];
    private long written;

    LittleEndianOutput(OutputStream out) {
      this.out = out;
    }

    void u8(int v) throws IOException {
      out.write(v);
      written++;
    }

    void u16(int v) throws IOException {
      scratch[0] = (byte) v;
      scratch[1] = (byte) (v >>> 8);
      out.write(scratch, 0, 2);
      written += 2;
    }

    void u32(int v) throws IOException {
      for (int i = 0; i < 4; i++) scratch[i] = (byte) (v >>> (8 * i));
      out.write(scratch, 0, 4);
      written += 4;
    }

    void u64(long v) throws IOException {
      for (int i = 0; i < 8; i++) scratch[i] = (byte) (v >>> (8 * i));
      out.write(scratch, 0, 8);
      written += 8;
    }

    void string(String s) throws IOException {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u64(b.length);
      bytes(b);
    }

    void bytes(byte[] b) throws IOException {
      out.write(b);
      written += b.length;
    }

    void pad(long alignment) throws IOException {
      long target = GgufReader.alignUp(written, alignment);
      while (written < target) u8(0);
    }
  }
}
