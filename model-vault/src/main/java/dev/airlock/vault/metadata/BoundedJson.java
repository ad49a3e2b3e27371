package dev.airlock.vault.metadata;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** JSON objects read from model files, after a size check, with messages that name the file. */
final class BoundedJson {
  /** Strict: a key given twice (two tensors of one name) is an error, not "last one wins". */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private BoundedJson() {}

  /** Reads {@code file} (at most {@code maxBytes}) as a JSON object. */
  static ObjectNode readObject(Path file, String name, long maxBytes, String expected) throws IOException {
    long size = Files.size(file);
    if (size > maxBytes) {
      throw new ModelFileException(
          name, "is " + size + " bytes, more than the " + maxBytes + " Airlock reads for " + expected + "; it is not a real one");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) maxBytes);
    }
    return parseObject(bytes, 0, bytes.length, name, expected);
  }

  /** A streaming parser with the same strictness, for documents too large to hold as a tree. */
  static JsonParser parser(InputStream in) throws IOException {
    return MAPPER.createParser(in);
  }

  /** Reads the value the parser is on as a tree (for small values within a streamed document). */
  static JsonNode readTree(JsonParser parser) throws IOException {
    return MAPPER.readTree(parser);
  }

  static ModelFileException invalid(String name, JsonProcessingException e, String expected) {
    JsonLocation at = e.getLocation();
    String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    return new ModelFileException(
        name, "is not valid JSON" + where + " (" + e.getOriginalMessage() + "); expected " + expected, e);
  }

  static ObjectNode parseObject(byte[] bytes, int offset, int length, String name, String expected)
      throws ModelFileException {
    for (int i = offset; i < offset + length; i++) {
      if (bytes[i] == 0) {
        throw new ModelFileException(
            name, "contains a NUL byte at offset " + (i - offset) + ": it is binary, not JSON text; expected " + expected);
      }
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes, offset, length);
    } catch (JsonProcessingException e) {
      throw invalid(name, e, expected);
    } catch (IOException e) {
      throw new ModelFileException(name, "could not be parsed as JSON: " + e.getMessage(), e);
    }
    if (node == null || node.isMissingNode()) {
      throw new ModelFileException(name, "is empty; expected " + expected);
    }
    if (!(node instanceof ObjectNode object)) {
      throw new ModelFileException(name, "holds a JSON " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + "; expected " + expected + " (a JSON object)");
    }
    return object;
  }
}
