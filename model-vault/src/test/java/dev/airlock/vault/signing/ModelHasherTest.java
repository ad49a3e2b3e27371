package dev.airlock.vault.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.vault.Progress;
import dev.airlock.vault.Sha256;
import dev.airlock.vault.signing.VerificationException.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelHasherTest {
  @TempDir Path tmp;

  private Path manyFiles(int count) throws Exception {
    Path dir = tmp.resolve("many");
    Random random = new Random(42);
    for (int i = 0; i < count; i++) {
      Path f = dir.resolve("shard-" + (i % 7)).resolve("part-" + i + ".bin");
      Files.createDirectories(f.getParent());
      byte[] bytes = new byte[random.nextInt(200_000)];
      random.nextBytes(bytes);
      Files.write(f, bytes);
    }
    return dir;
  }

  @Test
  void parallelHashingGivesTheSameManifestAsOneThread() throws Exception {
    Path dir = manyFiles(60);
    Serialization files = Serialization.Files.of(List.of());
    ModelManifest one = new ModelHasher(1).hash(dir, files, List.of(), Progress.NONE);
    ModelManifest two = new ModelHasher(2).hash(dir, files, List.of(), Progress.NONE);
    assertThat(two).isEqualTo(one);
    assertThat(one.resources()).hasSize(60);
    Path some = dir.resolve("shard-3/part-10.bin");
    assertThat(one.digestsByName().get("shard-3/part-10.bin"))
        .isEqualTo(Sha256.of(Files.readAllBytes(some)));
  }

  @Test
  void progressCountsEveryByteOnceAndEndsAtTheTotal() throws Exception {
    Path dir = manyFiles(30);
    long total;
    try (var walk = Files.walk(dir)) {
      total = walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
    new ModelHasher(2).hash(dir, Serialization.Files.of(List.of()), List.of(), new Progress() {
      @Override public void start(String task, long totalBytes) { events.add("start " + task + " " + totalBytes); }
      @Override public void advance(long bytes) {
        assertThat(bytes).isPositive();
        done.addAndGet(bytes);
      }
      @Override public void finish() { events.add("finish at " + done.get()); }
    });
    assertThat(events).containsExactly("start Hashing " + total, "finish at " + total);
  }

  @Test
  void largeFileIsHashedInChunksAndShardsCoverItExactly() throws Exception {
    Path dir = tmp.resolve("big");
    Files.createDirectories(dir);
    byte[] bytes = new byte[ModelHasher.CHUNK_SIZE * 3 + 17];
    new Random(7).nextBytes(bytes);
    Files.write(dir.resolve("w.bin"), bytes);

    ModelManifest files = new ModelHasher().hash(dir, Serialization.Files.of(List.of()), List.of(),
        Progress.NONE);
    assertThat(files.digestsByName()).containsEntry("w.bin", Sha256.of(bytes));

    long shard = ModelHasher.CHUNK_SIZE + 5;
    ModelManifest shards = new ModelHasher().hash(dir, new Serialization.Shards(shard, false, List.of()),
        List.of(), Progress.NONE);
    assertThat(shards.resources()).extracting(Resource::name).containsExactly(
        "w.bin:0:" + shard, "w.bin:" + shard + ":" + 2 * shard,
        "w.bin:" + 2 * shard + ":" + 3 * shard, "w.bin:" + 3 * shard + ":" + bytes.length);
    assertThat(shards.resources().get(3).digest()).isEqualTo(Sha256.of(
        java.util.Arrays.copyOfRange(bytes, (int) (3 * shard), bytes.length)));
  }

  @Test
  void ignoredPathsCoverDirectoriesAndTheirContents() throws Exception {
    Path dir = manyFiles(14);
    Files.writeString(dir.resolve("README.md"), "hi");
    ModelManifest m = new ModelHasher().hash(dir, Serialization.Files.of(List.of("shard-1/")),
        List.of("./shard-2", "README.md"), Progress.NONE);
    assertThat(m.resources()).extracting(Resource::name)
        .noneMatch(n -> n.startsWith("shard-1/") || n.startsWith("shard-2/") || n.equals("README.md"))
        .hasSize(10);
  }

  @Test
  void canonicalOrderComparesPathComponentsLikeTheReferenceTool() throws Exception {
    Path dir = tmp.resolve("order");
    Files.createDirectories(dir.resolve("a"));
    Files.writeString(dir.resolve("a/b"), "1");
    Files.writeString(dir.resolve("a.txt"), "2");
    Files.writeString(dir.resolve("B"), "3");
    ModelManifest m = new ModelHasher().hash(dir, Serialization.Files.of(List.of()), List.of(),
        Progress.NONE);
    // Python's PurePosixPath orders by components: ("a", "b") < ("a.txt",); upper case first.
    assertThat(m.resources()).extracting(Resource::name).containsExactly("B", "a/b", "a.txt");
  }

  @Test
  void namedPipeIsRefusedAsUnsafe() throws Exception {
    Path dir = tmp.resolve("fifo");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("ok.bin"), "x");
    Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("pipe").toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    assertThatThrownBy(() -> new ModelHasher().hash(dir, Serialization.Files.of(List.of()),
        List.of(), Progress.NONE))
        .isInstanceOfSatisfying(VerificationException.class,
            e -> assertThat(e.check()).isEqualTo(Check.UNSAFE_PATH))
        .hasMessageContaining("pipe is not a regular file");
  }
}
