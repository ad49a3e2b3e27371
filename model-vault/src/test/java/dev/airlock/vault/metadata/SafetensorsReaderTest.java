package dev.airlock.vault.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsReaderTest {
  @TempDir Path dir;

  @Test
  void readsTensorsDtypesShapesAndParameterCount() throws Exception {
    Path f = new SafetensorsFixture()
        .tensor("model.embed_tokens.weight", "BF16", 2, 1000, 64)
        .tensor("model.norm.weight", "F32", 4, 64)
        .tensor("lm_head.weight", "BF16", 2, 1000, 64)
        .metadata("format", "pt")
        .writeTo(dir.resolve("model.safetensors"));

    SafetensorsHeader h = SafetensorsReader.read(f);

    assertThat(h.tensors()).extracting(SafetensorsTensor::name)
        .containsExactlyInAnyOrder("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight");
    SafetensorsTensor embed = h.tensors().stream().filter(t -> t.name().equals("model.embed_tokens.weight")).findFirst().orElseThrow();
    assertThat(embed.dtype()).isEqualTo("BF16");
    assertThat(embed.shape()).containsExactly(1000L, 64L);
    assertThat(h.parameterCount()).isEqualTo(128_064); // 64000 + 64 + 64000
    assertThat(h.tensorBytes()).isEqualTo(256_256); // 128000 x 2 + 64 x 4
    assertThat(h.parametersByDtype()).containsEntry("BF16", 128_000L).containsEntry("F32", 64L);
    assertThat(h.metadata()).containsEntry("format", "pt");
  }

  @Test
  void readsTheHeaderOfA20GigabyteFileWithoutTouchingItsWeights() throws Exception {
    // 20 GB of (sparse) weights behind a small header: only the header is read.
    Path f = new SafetensorsFixture()
        .tensor("w", "F16", 2, 100_000, 100_000)
        .writeTo(dir.resolve("big.safetensors"));
    assertThat(Files.size(f)).isGreaterThan(20_000_000_000L);
    assertThat(SafetensorsReader.read(f).parameterCount()).isEqualTo(10_000_000_000L);
  }

  @Test
  void readsShardedModelsThroughTheIndex() throws Exception {
    new SafetensorsFixture().tensor("a", "BF16", 2, 10, 10).writeTo(dir.resolve("model-00001-of-00002.safetensors"));
    new SafetensorsFixture().tensor("b", "BF16", 2, 5).tensor("c", "F32", 4, 3)
        .writeTo(dir.resolve("model-00002-of-00002.safetensors"));
    // A consolidated copy beside the shards must not be counted twice.
    new SafetensorsFixture().tensor("a", "BF16", 2, 10, 10).writeTo(dir.resolve("consolidated.safetensors"));
    Files.writeString(dir.resolve("model.safetensors.index.json"), SafetensorsFixture.indexJson(List.of(
        new String[] {"a", "model-00001-of-00002.safetensors"},
        new String[] {"b", "model-00002-of-00002.safetensors"},
        new String[] {"c", "model-00002-of-00002.safetensors"}), 222));

    SafetensorsWeights w = SafetensorsReader.readModel(dir).orElseThrow();

    assertThat(w.index()).contains("model.safetensors.index.json");
    assertThat(w.files()).extracting(SafetensorsHeader::file)
        .containsExactly("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors");
    assertThat(w.parameterCount()).isEqualTo(108);
    assertThat(w.tensorBytes()).isEqualTo(222);
  }

  @Test
  void withoutAnIndexReadsEverySafetensorsFile() throws Exception {
    new SafetensorsFixture().tensor("a", "F32", 4, 4).writeTo(dir.resolve("a.safetensors"));
    new SafetensorsFixture().tensor("b", "F32", 4, 6).writeTo(dir.resolve("b.safetensors"));
    assertThat(SafetensorsReader.readModel(dir).orElseThrow().parameterCount()).isEqualTo(10);
  }

  @Test
  void aDirectoryWithoutSafetensorsHasNone() throws Exception {
    assertThat(SafetensorsReader.readModel(dir)).isEmpty();
  }

  @Test
  void rejectsAMissingShard() throws Exception {
    new SafetensorsFixture().tensor("a", "BF16", 2, 4).writeTo(dir.resolve("model-00001-of-00002.safetensors"));
    Files.writeString(dir.resolve("model.safetensors.index.json"), SafetensorsFixture.indexJson(List.of(
        new String[] {"a", "model-00001-of-00002.safetensors"},
        new String[] {"b", "model-00002-of-00002.safetensors"}), 16));
    assertThatThrownBy(() -> SafetensorsReader.readModel(dir))
        .isInstanceOf(ModelFileException.class)
        .hasMessage("model.safetensors.index.json: names shard 'model-00002-of-00002.safetensors', which is missing"
            + " from the model directory; copy the complete model");
  }

  @Test
  void rejectsAnIndexThatPlacesATensorInTheWrongShard() throws Exception {
    new SafetensorsFixture().tensor("a", "BF16", 2, 4).writeTo(dir.resolve("s1.safetensors"));
    Files.writeString(dir.resolve("model.safetensors.index.json"), SafetensorsFixture.indexJson(List.of(
        new String[] {"a", "s1.safetensors"}, new String[] {"z", "s1.safetensors"}), 8));
    assertThatThrownBy(() -> SafetensorsReader.readModel(dir))
        .hasMessage("model.safetensors.index.json: places tensor 'z' in 's1.safetensors', but that shard's header has no such tensor");
  }

  @Test
  void rejectsShardNamesThatLeaveTheDirectory() throws Exception {
    Files.writeString(dir.resolve("model.safetensors.index.json"), SafetensorsFixture.indexJson(List.<String[]>of(
        new String[] {"a", "../../etc/passwd"}), 8));
    assertThatThrownBy(() -> SafetensorsReader.readModel(dir))
        .hasMessage("model.safetensors.index.json: names shard '../../etc/passwd'; shards are plain file names beside the index");
  }

  @Test
  void rejectsAnIndexThatIsNotJson() throws Exception {
    Files.writeString(dir.resolve("model.safetensors.index.json"), "weight_map: nope");
    assertThatThrownBy(() -> SafetensorsReader.readModel(dir))
        .hasMessageStartingWith("model.safetensors.index.json: is not valid JSON at line 1, column ");
  }

  @Test
  void rejectsAFileShorterThanTheLengthPrefix() throws Exception {
    Path f = Files.write(dir.resolve("model.safetensors"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> SafetensorsReader.read(f))
        .hasMessage("model.safetensors: is 3 bytes, shorter than the 8-byte header length; the file is truncated");
  }

  @Test
  void rejectsAHeaderLongerThanTheFile() throws Exception {
    byte[] header = new SafetensorsFixture().tensor("a", "F32", 4, 2).headerBytes();
    Path f = SafetensorsFixture.write(dir.resolve("model.safetensors"), header, 8);
    byte[] bytes = Files.readAllBytes(f);
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 5000);
    Files.write(f, bytes);
    assertThatThrownBy(() -> SafetensorsReader.read(f))
        .hasMessage("model.safetensors: claims a header of 5000 bytes but only " + (bytes.length - 8)
            + " bytes follow; the file is truncated or not safetensors");
  }

  @Test
  void rejectsAnAbsurdHeaderLengthWithoutAllocatingIt() throws Exception {
    byte[] bytes = new byte[64];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
    Path f = Files.write(dir.resolve("model.safetensors"), bytes);
    assertThatThrownBy(() -> SafetensorsReader.read(f))
        .hasMessage("model.safetensors: claims a header of 1099511627776 bytes; a safetensors header is 2 to 100000000"
            + " bytes, so the file is corrupt or not safetensors");
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1);
    Files.write(f, bytes);
    assertThatThrownBy(() -> SafetensorsReader.read(f))
        .hasMessageStartingWith("model.safetensors: claims a header of 18446744073709551615 bytes;");
  }

  @Test
  void rejectsAHeaderThatIsNotJson() throws Exception {
    Path f = SafetensorsFixture.write(dir.resolve("model.safetensors"),
        "{\"a\": {\"dtype\": \"F32\", \"shape\": [2], ".getBytes(StandardCharsets.UTF_8), 0);
    assertThatThrownBy(() -> SafetensorsReader.read(f))
        .isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith("model.safetensors: is not valid JSON at line 1, column ")
        .hasMessageEndingWith("; expected a safetensors header");
    Path g = SafetensorsFixture.write(dir.resolve("junk.safetensors"), new byte[] {(byte) 0x93, 'N', 'U', 'M'}, 0);
    assertThatThrownBy(() -> SafetensorsReader.read(g))
        .hasMessage("junk.safetensors: header does not start with '{' (found byte 0x93); the file is not safetensors");
  }

  @Test
  void refusesAHeaderThatWouldExhaustTheHeap() throws Exception {
    // 800,000 one-byte tensors: a 40 MB header within the format's 100 MB limit, but far more
    // tensors than any real shard; held in memory they would take well over 128 MiB.
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < 800_000; i++) {
      if (i > 0) json.append(',');
      json.append("\"t").append(i).append("\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}");
    }
    json.append('}');
    Path f = SafetensorsFixture.write(dir.resolve("model.safetensors"), json.toString().getBytes(StandardCharsets.UTF_8), 1);
    assertThatThrownBy(() -> SafetensorsReader.read(f))
        .isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith("model.safetensors: header would take more than 128 MiB of memory once read (")
        .hasMessageEndingWith(" tensors so far); real headers need a few MiB, so it is refused as corrupt or hostile");
  }

  @Test
  void rejectsDataAfterTheHeaderObject() throws Exception {
    Path f = SafetensorsFixture.write(dir.resolve("model.safetensors"), "{} {}".getBytes(StandardCharsets.UTF_8), 0);
    assertThatThrownBy(() -> SafetensorsReader.read(f))
        .hasMessage("model.safetensors: header has data after its JSON object; expected a safetensors header");
    Path padded = SafetensorsFixture.write(dir.resolve("padded.safetensors"), "{}      ".getBytes(StandardCharsets.UTF_8), 0);
    assertThat(SafetensorsReader.read(padded).tensors()).as("trailing spaces pad headers, as the format allows").isEmpty();
  }

  @Test
  void rejectsTensorsThatPointPastTheData() throws Exception {
    SafetensorsFixture fx = new SafetensorsFixture().tensor("a", "F32", 4, 1000);
    Path f = SafetensorsFixture.write(dir.resolve("model.safetensors"), fx.headerBytes(), 100);
    assertThatThrownBy(() -> SafetensorsReader.read(f))
        .hasMessage("model.safetensors: tensor 'a' claims bytes 0..4000 but the data section holds 100 bytes;"
            + " the file is truncated or its header lies");
  }

  @Test
  void rejectsAShapeThatDisagreesWithTheByteRange() throws Exception {
    SafetensorsFixture fx = new SafetensorsFixture().tensor("a", "F32", 2, 10);
    Path f = fx.writeTo(dir.resolve("model.safetensors"));
    assertThatThrownBy(() -> SafetensorsReader.read(f))
        .hasMessage("model.safetensors: tensor 'a' is F32 [10] (10 elements of 4 bytes) but spans 20 bytes; the header is inconsistent");
  }

  @Test
  void rejectsATensorNamedTwice() throws Exception {
    String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
    Path f = SafetensorsFixture.write(dir.resolve("model.safetensors"), json.getBytes(StandardCharsets.UTF_8), 8);
    assertThatThrownBy(() -> SafetensorsReader.read(f))
        .hasMessageContaining("is not valid JSON")
        .hasMessageContaining("Duplicate field 'a'");
  }

  @Test
  void rejectsATensorWithoutItsFields() throws Exception {
    Path f = SafetensorsFixture.write(dir.resolve("model.safetensors"),
        "{\"a\":{\"dtype\":\"F32\"}}".getBytes(StandardCharsets.UTF_8), 0);
    assertThatThrownBy(() -> SafetensorsReader.read(f))
        .hasMessage("model.safetensors: tensor 'a' needs dtype (text), shape (list) and data_offsets ([begin, end]);"
            + " found {\"dtype\":\"F32\"}");
  }
}
