package dev.airlock.vault.signing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.UnaryOperator;

/** Ways to change one byte of a signed model, its statement, or its signature. */
final class Tamper {
  private Tamper() {}

  static void flipByte(Path file, int index) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[index] ^= 0x01;
    Files.write(file, bytes);
  }

  /** Rewrites the bundle JSON in {@code sig}. */
  static void editBundle(Path sig, UnaryOperator<ObjectNode> edit) throws IOException {
    ObjectNode bundle = (ObjectNode) Json.MAPPER.readTree(Files.readAllBytes(sig));
    Files.write(sig, Json.PRETTY.writeValueAsBytes(edit.apply(bundle)));
  }

  /** Changes one byte of the signed statement (the DSSE payload). */
  static void flipStatementByte(Path sig, int index) throws IOException {
    editBundle(sig, b -> {
      ObjectNode env = (ObjectNode) b.get("dsseEnvelope");
      byte[] payload = Base64.getDecoder().decode(env.get("payload").asText());
      payload[index] ^= 0x01;
      env.put("payload", Base64.getEncoder().encodeToString(payload));
      return b;
    });
  }

  /** Replaces text in the signed statement, keeping it valid JSON. */
  static void editStatement(Path sig, String from, String to) throws IOException {
    editBundle(sig, b -> {
      ObjectNode env = (ObjectNode) b.get("dsseEnvelope");
      String payload = new String(Base64.getDecoder().decode(env.get("payload").asText()),
          StandardCharsets.UTF_8);
      if (!payload.contains(from)) throw new IllegalArgumentException("no '" + from + "' in statement");
      env.put("payload", Base64.getEncoder().encodeToString(
          payload.replace(from, to).getBytes(StandardCharsets.UTF_8)));
      return b;
    });
  }

  /** Changes one byte of the DER signature. */
  static void flipSignatureByte(Path sig, int index) throws IOException {
    editBundle(sig, b -> {
      ObjectNode s = (ObjectNode) b.get("dsseEnvelope").get("signatures").get(0);
      byte[] der = Base64.getDecoder().decode(s.get("sig").asText());
      der[index] ^= 0x01;
      s.put("sig", Base64.getEncoder().encodeToString(der));
      return b;
    });
  }
}
