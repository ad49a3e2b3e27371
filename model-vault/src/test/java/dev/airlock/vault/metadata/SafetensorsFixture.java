package dev.airlock.vault.metadata;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Builds safetensors files for tests: header JSON by hand, data as zeros (sparse where large). */
final class SafetensorsFixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ObjectNode header = JSON.createObjectNode();
  private long dataLength;

  SafetensorsFixture tensor(String name, String dtype, int bytesPerElement, long... shape) {
    long n = 1;
    for (long d : shape) n *= d;
    ObjectNode t = header.putObject(name);
    t.put("dtype", dtype);
    var s = t.putArray("shape");
    for (long d : shape) s.add(d);
    t.putArray("data_offsets").add(dataLength).add(dataLength + n * bytesPerElement);
    dataLength += n * bytesPerElement;
    return this;
  }

  SafetensorsFixture metadata(String key, String value) {
    ((ObjectNode) header.withObject("/__metadata__")).put(key, value);
    return this;
  }

  ObjectNode header() {
    return header;
  }

  byte[] headerBytes() {
    return header.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Writes the file; the data section is left as a hole, so gigabytes cost nothing. */
  Path writeTo(Path file) throws IOException {
    return write(file, headerBytes(), dataLength);
  }

  static Path write(Path file, byte[] headerJson, long dataLength) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerJson.length);
      ch.write(len);
      ch.write(ByteBuffer.wrap(headerJson));
      if (dataLength > 0) ch.write(ByteBuffer.wrap(new byte[] {0}), 8 + headerJson.length + dataLength - 1);
    }
    return file;
  }

  static String indexJson(List<String[]> tensorToShard, long totalSize) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("metadata").put("total_size", totalSize);
    ObjectNode map = root.putObject("weight_map");
    for (String[] e : tensorToShard) map.put(e[0], e[1]);
    return root.toString();
  }
}
