package dev.airlock.vault.metadata;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a GGUF header (versions 2 and 3, little-endian; ggml docs/gguf.md): metadata key/values
 * and tensor infos. Tensor data is never read. Every count and length is checked against what is
 * left of the file and against the caps below before anything is allocated.
 */
public final class GgufReader {
  /** "GGUF" read as a little-endian uint32. */
  static final int MAGIC = 0x46554747;

  /** Big real models have a few thousand tensors; a million means a corrupt header. */
  public static final long MAX_TENSOR_COUNT = 1L << 20;

  /** Real files carry tens of keys (plus per-parent base_model keys); a million is corrupt. */
  public static final long MAX_METADATA_COUNT = 1L << 20;

  /** The longest real values are chat templates of tens of kilobytes. */
  public static final long MAX_STRING_BYTES = 8L << 20;

  /** Vocabularies reach ~260k tokens and merge lists ~1M entries. */
  public static final long MAX_ARRAY_LENGTH = 1L << 24;

  /** Caps the whole header in the file, tokenizer arrays included; real ones are under 20 MiB. */
  public static final long MAX_HEADER_BYTES = 256L << 20;

  /**
   * Caps the heap the parsed metadata may take (strings count their object overhead): the largest
   * real vocabularies (260k tokens, 280k merges, their scores and types) count a few tens of MiB,
   * while a header of millions of tiny strings would need gigabytes.
   */
  public static final long MAX_METADATA_MEMORY_BYTES = 128L << 20;

  /** Heap of a String beyond its characters: object header, fields, array header. */
  private static final int STRING_OVERHEAD_BYTES = 56;

  /** ggml tensors have at most 4 dimensions (GGML_MAX_DIMS). */
  public static final int MAX_DIMENSIONS = 4;

  /** Arrays of arrays occur; deeper nesting than this is not a real model. */
  private static final int MAX_ARRAY_DEPTH = 4;

  /** Minimal bytes of one key/value: key length, type, one byte of value. */
  private static final int MIN_KV_BYTES = 8 + 4 + 1;

  /** Minimal bytes of one tensor info: name length, dimension count, one dimension, type, offset. */
  private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;

  private GgufReader() {}

  /** Reads the header of {@code file}, naming it by its file name in messages and evidence. */
  public static GgufFile read(Path file) throws IOException {
    return read(file, String.valueOf(file.getFileName()));
  }

  /** Reads the header of {@code file}, naming it {@code displayName} in messages and evidence. */
  public static GgufFile read(Path file, String displayName) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ModelFileException(displayName, "no such GGUF file; check the path");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return read(new BoundedChannelReader(ch, displayName), displayName);
    }
  }

  private static GgufFile read(BoundedChannelReader in, String file) throws IOException {
    if (in.size() < 4 + 4 + 8 + 8) {
      throw new ModelFileException(
          file, "is " + in.size() + " bytes, shorter than a GGUF header (24 bytes); the file is truncated");
    }
    int magic = in.i32("magic");
    if (magic != MAGIC) {
      throw new ModelFileException(
          file,
          String.format(
              "does not start with the GGUF magic 'GGUF' (found 0x%08x); it is not a GGUF file", magic));
    }
    int version = in.i32("version");
    if (version == 1) {
      throw new ModelFileException(
          file, "is GGUF version 1, which Airlock does not read; convert it again with a current llama.cpp (versions 2 and 3 are supported)");
    }
    if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
      throw new ModelFileException(
          file, "is a big-endian GGUF file; Airlock reads little-endian GGUF only (versions 2 and 3)");
    }
    if (version != 2 && version != 3) {
      throw new ModelFileException(
          file, "has GGUF version " + Integer.toUnsignedString(version) + "; Airlock reads versions 2 and 3");
    }
    long tensorCount = in.i64("tensor count");
    long kvCount = in.i64("metadata count");
    checkCount(file, "tensors", tensorCount, MAX_TENSOR_COUNT, MIN_TENSOR_INFO_BYTES, in);
    checkCount(file, "metadata key/values", kvCount, MAX_METADATA_COUNT, MIN_KV_BYTES, in);

    Map<String, GgufValue> metadata = new LinkedHashMap<>();
    MemoryBudget budget = new MemoryBudget(file);
    for (long i = 0; i < kvCount; i++) {
      String key = string(in, file, "key of metadata entry " + i);
      int typeId = in.i32("type of " + key);
      GgufValueType type = valueType(file, typeId, key);
      GgufValue value = new GgufValue(type, value(in, file, type, key, 0, budget));
      if (metadata.put(key, value) != null) {
        throw new ModelFileException(file, "repeats the metadata key '" + key + "'; the header is corrupt");
      }
      checkHeaderSize(in, file);
    }

    long alignment = GgufFile.DEFAULT_ALIGNMENT;
    GgufValue align = metadata.get("general.alignment");
    if (align != null) {
      long a = align.asLong().orElse(-1);
      if (align.type() != GgufValueType.UINT32 || a <= 0 || Long.bitCount(a) != 1) {
        throw new ModelFileException(
            file, "general.alignment must be a UINT32 power of two, found " + align.type() + " " + align.excerpt());
      }
      alignment = a;
    }

    List<GgufTensorInfo> infos = new ArrayList<>((int) Math.min(tensorCount, 4096));
    for (long i = 0; i < tensorCount; i++) {
      String name = string(in, file, "name of tensor " + i);
      int dims = in.i32("dimension count of tensor " + name);
      if (dims < 1 || dims > MAX_DIMENSIONS) {
        throw new ModelFileException(
            file, "tensor '" + name + "' claims " + Integer.toUnsignedString(dims) + " dimensions; ggml tensors have 1 to " + MAX_DIMENSIONS);
      }
      List<Long> shape = new ArrayList<>(dims);
      for (int d = 0; d < dims; d++) {
        long n = in.i64("dimension " + d + " of tensor " + name);
        if (n <= 0) {
          throw new ModelFileException(
              file, "tensor '" + name + "' has dimension " + Long.toUnsignedString(n) + "; dimensions are between 1 and 2^63-1");
        }
        shape.add(n);
      }
      int typeId = in.i32("type of tensor " + name);
      long offset = in.i64("offset of tensor " + name);
      GgufTensorInfo info = new GgufTensorInfo(name, shape, typeId, offset);
      try {
        info.elementCount();
      } catch (ArithmeticException e) {
        throw new ModelFileException(file, "tensor '" + name + "' has a shape " + shape + " whose element count overflows");
      }
      infos.add(info);
      checkHeaderSize(in, file);
    }
    long dataOffset = alignUp(in.position(), alignment);
    if (dataOffset > in.size()) {
      throw new ModelFileException(file, "ends before its tensor data starts (offset " + dataOffset + "); the file is truncated");
    }
    long dataBytes = in.size() - dataOffset;
    for (GgufTensorInfo t : infos) checkExtent(file, t, alignment, dataBytes);
    GgufFile result = new GgufFile(file, version, metadata, infos, alignment, dataOffset, in.size());
    try {
      result.parameterCount();
    } catch (ArithmeticException e) {
      throw new ModelFileException(file, "claims more tensor elements in total than fit in 63 bits; the header is corrupt");
    }
    return result;
  }

  private static void checkExtent(String file, GgufTensorInfo t, long alignment, long dataBytes)
      throws ModelFileException {
    if (t.offset() < 0 || t.offset() % alignment != 0) {
      throw new ModelFileException(
          file, "tensor '" + t.name() + "' starts at offset " + Long.toUnsignedString(t.offset()) + ", which is not a multiple of the alignment " + alignment);
    }
    if (t.type().isEmpty()) return; // a newer ggml type: its size is unknown, the offset still is
    long bytes = t.type().get().bytesFor(t.elementCount());
    if (bytes < 0) {
      throw new ModelFileException(
          file, "tensor '" + t.name() + "' of type " + t.typeName() + " has " + t.elementCount() + " elements, not a whole number of " + t.type().get().blockSize() + "-element blocks");
    }
    if (t.offset() > dataBytes || bytes > dataBytes - t.offset()) {
      throw new ModelFileException(
          file, "tensor '" + t.name() + "' needs bytes " + t.offset() + ".." + (t.offset() + bytes) + " of the tensor data, but the file holds only " + dataBytes + "; the file is truncated or its header lies");
    }
  }

  private static void checkCount(
      String file, String what, long count, long cap, int minBytesEach, BoundedChannelReader in)
      throws ModelFileException {
    if (count < 0 || count > cap) {
      throw new ModelFileException(
          file, "claims " + Long.toUnsignedString(count) + " " + what + ", more than the " + cap + " Airlock accepts; the header is corrupt");
    }
    if (count * minBytesEach > in.remaining()) {
      throw new ModelFileException(
          file, "claims " + count + " " + what + ", which cannot fit in the " + in.remaining() + " bytes that follow; the file is truncated or its header is corrupt");
    }
  }

  private static void checkHeaderSize(BoundedChannelReader in, String file) throws ModelFileException {
    if (in.position() > MAX_HEADER_BYTES) {
      throw new ModelFileException(
          file, "has a header larger than " + (MAX_HEADER_BYTES >> 20) + " MiB; Airlock refuses it rather than hold it in memory");
    }
  }

  private static GgufValueType valueType(String file, int id, String where) throws ModelFileException {
    try {
      return GgufValueType.ofId(id);
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(file, "metadata '" + where + "' has " + e.getMessage() + " (known: 0 to 12); the header is corrupt");
    }
  }

  private static String string(BoundedChannelReader in, String file, String what) throws IOException {
    long len = in.i64("length of " + what);
    if (len < 0 || len > MAX_STRING_BYTES) {
      throw new ModelFileException(
          file, what + " claims a length of " + Long.toUnsignedString(len) + " bytes, more than the " + MAX_STRING_BYTES + " Airlock accepts; the header is corrupt");
    }
    in.require(len, what);
    return in.utf8(in.bytes((int) len, what), what);
  }

  private static Object value(
      BoundedChannelReader in, String file, GgufValueType type, String key, int depth, MemoryBudget budget)
      throws IOException {
    return switch (type) {
      case UINT8 -> (long) in.u8(key);
      case INT8 -> (long) (byte) in.u8(key);
      case UINT16 -> (long) (in.i16(key) & 0xffff);
      case INT16 -> (long) in.i16(key);
      case UINT32 -> in.i32(key) & 0xffff_ffffL;
      case INT32 -> (long) in.i32(key);
      case UINT64, INT64 -> in.i64(key);
      case FLOAT32 -> (double) in.f32(key);
      case FLOAT64 -> in.f64(key);
      case BOOL -> {
        int b = in.u8(key);
        if (b > 1) throw new ModelFileException(file, "metadata '" + key + "' is a BOOL holding " + b + "; only 0 and 1 are valid");
        yield b == 1;
      }
      case STRING -> {
        String s = string(in, file, "metadata '" + key + "'");
        budget.spend(STRING_OVERHEAD_BYTES + 2L * s.length(), key);
        yield s;
      }
      case ARRAY -> {
        if (depth >= MAX_ARRAY_DEPTH) {
          throw new ModelFileException(file, "metadata '" + key + "' nests arrays deeper than " + MAX_ARRAY_DEPTH);
        }
        GgufValueType elem = valueType(file, in.i32("element type of " + key), key);
        long len = in.i64("length of " + key);
        if (len < 0 || len > MAX_ARRAY_LENGTH) {
          throw new ModelFileException(
              file, "metadata '" + key + "' claims an array of " + Long.toUnsignedString(len) + " elements, more than the " + MAX_ARRAY_LENGTH + " Airlock accepts; the header is corrupt");
        }
        if (len * elem.minBytes() > in.remaining()) {
          throw new ModelFileException(
              file, "metadata '" + key + "' claims " + len + " " + elem + " elements, which cannot fit in the " + in.remaining() + " bytes that follow; the file is truncated or its header is corrupt");
        }
        if (PackedValues.packs(elem)) {
          budget.spend(len * PackedValues.elementBytes(elem), key);
          try {
            yield new GgufValue.Array(elem, PackedValues.read(in, elem, (int) len, key));
          } catch (IllegalStateException e) {
            throw new ModelFileException(file, "metadata " + e.getMessage() + "; only 0 and 1 are valid");
          }
        }
        budget.spend(len * 8, key);
        List<Object> out = new ArrayList<>((int) len);
        for (long i = 0; i < len; i++) {
          out.add(value(in, file, elem, key, depth + 1, budget));
          if ((i & 0xfff) == 0) checkHeaderSize(in, file);
        }
        yield new GgufValue.Array(elem, out);
      }
    };
  }

  /** Counts the heap parsed metadata takes, and stops the read before it exceeds the cap. */
  private static final class MemoryBudget {
    private final String file;
    private long spent;

    MemoryBudget(String file) {
      this.file = file;
    }

    void spend(long bytes, String key) throws ModelFileException {
      spent += bytes;
      if (spent > MAX_METADATA_MEMORY_BYTES) {
        throw new ModelFileException(
            file, "metadata would take more than " + (MAX_METADATA_MEMORY_BYTES >> 20) + " MiB of memory (reached at '"
                + key + "'); real models need far less, so the header is refused as corrupt or hostile");
      }
    }
  }

  static long alignUp(long offset, long alignment) {
    long rem = offset % alignment;
    return rem == 0 ? offset : offset + (alignment - rem);
  }
}
