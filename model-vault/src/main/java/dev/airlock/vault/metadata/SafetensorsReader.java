package dev.airlock.vault.metadata;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads safetensors headers: an 8-byte little-endian length, then that many bytes of JSON naming
 * each tensor's dtype, shape and byte range. Weights are never read.
 */
public final class SafetensorsReader {
  /** The format's own limit on header size (safetensors refuses larger headers too). */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** An index lists every tensor once: under 10 MB for the largest models. */
  public static final long MAX_INDEX_BYTES = 32L << 20;

  public static final String INDEX_FILE = "model.safetensors.index.json";

  /**
   * Caps the heap a parsed header may take: real headers (a few thousand tensors per shard) need a
   * few MiB, while 100 MB of tiny entries would need gigabytes.
   */
  public static final long MAX_HEADER_MEMORY_BYTES = 128L << 20;

  /** Heap of one entry beyond its characters: record, strings, list. */
  private static final int ENTRY_OVERHEAD_BYTES = 160;

  private static final Map<String, Integer> DTYPE_BYTES =
      Map.ofEntries(
          Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1),
          Map.entry("F8_E5M2", 1), Map.entry("F8_E4M3", 1), Map.entry("F8_E8M0", 1),
          Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2), Map.entry("BF16", 2),
          Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("F32", 4),
          Map.entry("I64", 8), Map.entry("U64", 8), Map.entry("F64", 8), Map.entry("C64", 8));

  private SafetensorsReader() {}

  /** Bytes per element of a safetensors dtype, if it is a whole number of bytes Airlock knows. */
  public static Optional<Integer> bytesPerElement(String dtype) {
    return Optional.ofNullable(DTYPE_BYTES.get(dtype));
  }

  public static SafetensorsHeader read(Path file) throws IOException {
    return read(file, String.valueOf(file.getFileName()));
  }

  public static SafetensorsHeader read(Path file, String name) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ModelFileException(name, "no such safetensors file; check the path");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      BoundedChannelReader in = new BoundedChannelReader(ch, name);
      if (in.size() < 8) {
        throw new ModelFileException(
            name, "is " + in.size() + " bytes, shorter than the 8-byte header length; the file is truncated");
      }
      long headerLength = in.i64("header length");
      if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
        throw new ModelFileException(
            name, "claims a header of " + Long.toUnsignedString(headerLength) + " bytes; a safetensors header is 2 to " + MAX_HEADER_BYTES + " bytes, so the file is corrupt or not safetensors");
      }
      if (headerLength > in.remaining()) {
        throw new ModelFileException(
            name, "claims a header of " + headerLength + " bytes but only " + in.remaining() + " bytes follow; the file is truncated or not safetensors");
      }
      int first = in.u8("header");
      if (first != '{') {
        throw new ModelFileException(
            name, "header does not start with '{' (found byte 0x" + Integer.toHexString(first) + "); the file is not safetensors");
      }
      ch.position(8);
      InputStream json = new BufferedInputStream(new LimitedInputStream(Channels.newInputStream(ch), headerLength), 1 << 16);
      return header(name, headerLength, in.size(), json);
    }
  }

  /**
   * Streams the header's entries one by one, so only the parsed tensors are held (never the raw
   * header or a tree of all of it), within {@link #MAX_HEADER_MEMORY_BYTES}.
   */
  private static SafetensorsHeader header(String name, long headerLength, long fileSize, InputStream json)
      throws IOException {
    long dataLength = fileSize - 8 - headerLength;
    List<SafetensorsTensor> tensors = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    long memory = 0;
    String expected = "a safetensors header";
    try (JsonParser p = BoundedJson.parser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new ModelFileException(name, "header is not a JSON object; expected " + expected);
      }
      JsonToken token;
      while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        p.nextToken();
        JsonNode value = BoundedJson.readTree(p);
        if (key.equals("__metadata__")) {
          if (!value.isObject()) throw new ModelFileException(name, "__metadata__ must be an object of strings");
          for (Map.Entry<String, JsonNode> m : value.properties()) {
            String v = m.getValue().isTextual() ? m.getValue().asText() : m.getValue().toString();
            metadata.put(m.getKey(), v);
            memory += 2 * (ENTRY_OVERHEAD_BYTES + m.getKey().length() + v.length());
          }
        } else {
          SafetensorsTensor t = tensor(name, key, value, dataLength);
          tensors.add(t);
          memory += ENTRY_OVERHEAD_BYTES + 2L * key.length() + 2L * t.dtype().length() + 24L * t.shape().size();
        }
        if (memory > MAX_HEADER_MEMORY_BYTES) {
          throw new ModelFileException(
              name, "header would take more than " + (MAX_HEADER_MEMORY_BYTES >> 20) + " MiB of memory once read ("
                  + tensors.size() + " tensors so far); real headers need a few MiB, so it is refused as corrupt or hostile");
        }
      }
      if (token != JsonToken.END_OBJECT) {
        throw new ModelFileException(name, "header is not a JSON object of tensors; expected " + expected);
      }
      if (p.nextToken() != null) {
        throw new ModelFileException(name, "header has data after its JSON object; expected " + expected);
      }
    } catch (JsonProcessingException e) {
      throw BoundedJson.invalid(name, e, expected);
    }
    SafetensorsHeader result = new SafetensorsHeader(name, headerLength, fileSize, tensors, metadata);
    try {
      result.parameterCount();
    } catch (ArithmeticException e) {
      throw new ModelFileException(name, "claims more tensor elements in total than fit in 63 bits; the header is corrupt");
    }
    return result;
  }

  private static SafetensorsTensor tensor(String name, String tensor, JsonNode v, long dataLength)
      throws ModelFileException {
    JsonNode dtype = v.get("dtype");
    JsonNode shape = v.get("shape");
    JsonNode offsets = v.get("data_offsets");
    if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray()
        || offsets == null || !offsets.isArray() || offsets.size() != 2) {
      throw new ModelFileException(
          name, "tensor '" + tensor + "' needs dtype (text), shape (list) and data_offsets ([begin, end]); found " + abbreviate(v.toString()));
    }
    List<Long> dims = new ArrayList<>();
    for (JsonNode d : shape) {
      if (!d.canConvertToExactIntegral() || !d.canConvertToLong() || d.asLong() < 0) {
        throw new ModelFileException(name, "tensor '" + tensor + "' has a shape " + shape + " with a dimension that is not a non-negative integer");
      }
      dims.add(d.asLong());
    }
    long begin = offset(name, tensor, offsets.get(0));
    long end = offset(name, tensor, offsets.get(1));
    if (begin > end || end > dataLength) {
      throw new ModelFileException(
          name, "tensor '" + tensor + "' claims bytes " + begin + ".." + end + " but the data section holds " + dataLength + " bytes; the file is truncated or its header lies");
    }
    SafetensorsTensor t = new SafetensorsTensor(tensor, dtype.asText(), dims, begin, end);
    long elements;
    try {
      elements = t.elementCount();
    } catch (ArithmeticException ex) {
      throw new ModelFileException(name, "tensor '" + tensor + "' has a shape " + dims + " whose element count overflows");
    }
    Integer size = DTYPE_BYTES.get(t.dtype());
    if (size != null && (elements > Long.MAX_VALUE / size || elements * size != t.byteLength())) {
      throw new ModelFileException(
          name, "tensor '" + tensor + "' is " + t.dtype() + " " + dims + " (" + elements + " elements of " + size + " bytes) but spans " + t.byteLength() + " bytes; the header is inconsistent");
    }
    return t;
  }

  /** Ends a stream after {@code limit} bytes: the header, not the weights behind it. */
  private static final class LimitedInputStream extends FilterInputStream {
    private long left;

    LimitedInputStream(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) return -1;
      int b = super.read();
      if (b >= 0) left--;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) return -1;
      int n = super.read(b, off, (int) Math.min(len, left));
      if (n > 0) left -= n;
      return n;
    }

    @Override
    public void close() {
      // the channel belongs to the caller
    }
  }

  private static long offset(String name, String tensor, JsonNode n) throws ModelFileException {
    if (n == null || !n.canConvertToExactIntegral() || !n.canConvertToLong() || n.asLong() < 0) {
      throw new ModelFileException(name, "tensor '" + tensor + "' has a data offset " + n + " that is not a non-negative integer");
    }
    return n.asLong();
  }

  /**
   * Reads every safetensors header of a model directory: the shards named by
   * {@value #INDEX_FILE} when it exists (each must be present and hold the tensors the index
   * places in it), otherwise every {@code *.safetensors} file at the top level.
   */
  public static Optional<SafetensorsWeights> readModel(Path modelDir) throws IOException {
    Path index = modelDir.resolve(INDEX_FILE);
    if (Files.isRegularFile(index)) {
      return Optional.of(readIndexed(modelDir, index));
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(modelDir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
          .filter(Files::isRegularFile).sorted().toList();
    }
    if (files.isEmpty()) return Optional.empty();
    List<SafetensorsHeader> headers = new ArrayList<>();
    for (Path f : files) headers.add(read(f, f.getFileName().toString()));
    return Optional.of(new SafetensorsWeights(headers, Optional.empty()));
  }

  private static SafetensorsWeights readIndexed(Path modelDir, Path index) throws IOException {
    ObjectNode root = BoundedJson.readObject(index, INDEX_FILE, MAX_INDEX_BYTES, "a safetensors index");
    JsonNode weightMap = root.get("weight_map");
    if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
      throw new ModelFileException(INDEX_FILE, "has no weight_map object naming each tensor's shard");
    }
    Map<String, Set<String>> byShard = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
      if (!e.getValue().isTextual()) {
        throw new ModelFileException(INDEX_FILE, "weight_map entry '" + e.getKey() + "' must name a shard file, found " + e.getValue());
      }
      byShard.computeIfAbsent(e.getValue().asText(), k -> new HashSet<>()).add(e.getKey());
    }
    List<SafetensorsHeader> headers = new ArrayList<>();
    for (String shard : new TreeSet<>(byShard.keySet())) {
      if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..") || shard.equals(".")) {
        throw new ModelFileException(INDEX_FILE, "names shard '" + shard + "'; shards are plain file names beside the index");
      }
      Path file = modelDir.resolve(shard);
      if (!Files.isRegularFile(file)) {
        throw new ModelFileException(
            INDEX_FILE, "names shard '" + shard + "', which is missing from the model directory; copy the complete model");
      }
      SafetensorsHeader h = read(file, shard);
      Set<String> present = new HashSet<>();
      for (SafetensorsTensor t : h.tensors()) present.add(t.name());
      for (String tensor : new TreeSet<>(byShard.get(shard))) {
        if (!present.contains(tensor)) {
          throw new ModelFileException(
              INDEX_FILE, "places tensor '" + tensor + "' in '" + shard + "', but that shard's header has no such tensor");
        }
      }
      headers.add(h);
    }
    return new SafetensorsWeights(headers, Optional.of(INDEX_FILE));
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
