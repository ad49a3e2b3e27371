package dev.airlock.audit.proof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.audit.MerkleHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProofBuilderTest {
  /** MTH straight from RFC 9162 2.1.1, recursive over the leaves: the reference to compare with. */
  static byte[] referenceRoot(List<byte[]> leaves) {
    if (leaves.isEmpty()) {
      return MerkleHash.emptyRoot();
    }
    if (leaves.size() == 1) {
      return MerkleHash.leaf(leaves.get(0));
    }
    int k = Integer.highestOneBit(leaves.size() - 1);
    return MerkleHash.node(referenceRoot(leaves.subList(0, k)), referenceRoot(leaves.subList(k, leaves.size())));
  }

  /** All complete subtrees of the given leaves, as a log would store them. */
  static TreeHashes store(List<byte[]> leaves) {
    List<List<byte[]>> levels = new ArrayList<>();
    List<byte[]> level = leaves.stream().map(MerkleHash::leaf).toList();
    levels.add(level);
    while (level.size() > 1) {
      List<byte[]> up = new ArrayList<>();
      for (int i = 0; i + 1 < level.size(); i += 2) {
        up.add(MerkleHash.node(level.get(i), level.get(i + 1)));
      }
      levels.add(up);
      level = up;
    }
    return (l, i) -> levels.get(l).get((int) i);
  }

  static List<byte[]> leaves(int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(("leaf " + i).getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void rootMatchesRfc6962ReferenceTreeOfEightLeaves() {
    // The RFC 6962 reference test tree (leaves "", 00, 10, 2021, 3031, 40414243, ...); root published
    // in the transparency-dev vectors (inclusion/1/happy-path.json: 5dc9da79...).
    List<byte[]> rfc = List.of(HexFormat.of().parseHex(""), HexFormat.of().parseHex("00"),
        HexFormat.of().parseHex("10"), HexFormat.of().parseHex("2021"), HexFormat.of().parseHex("3031"),
        HexFormat.of().parseHex("40414243"), HexFormat.of().parseHex("5051525354555657"),
        HexFormat.of().parseHex("606162636465666768696a6b6c6d6e6f"));
    assertThat(HexFormat.of().formatHex(ProofBuilder.root(store(rfc), 8)))
        .isEqualTo("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  }

  @Test
  void rootsAndProofsAgreeWithTheReferenceForEverySizeUpTo70() throws ProofException {
    List<byte[]> all = leaves(70);
    TreeHashes nodes = store(all);
    for (int n = 1; n <= 70; n++) {
      byte[] root = referenceRoot(all.subList(0, n));
      assertThat(ProofBuilder.root(nodes, n)).as("root of %d", n).isEqualTo(root);
      for (int i = 0; i < n; i++) {
        InclusionProof p = ProofBuilder.inclusion(nodes, i, n);
        p.verify(MerkleHash.leaf(all.get(i)), root);
        assertThat(p.hashes().size()).isLessThanOrEqualTo(64 - Long.numberOfLeadingZeros(n - 1));
      }
      for (int m = 1; m <= n; m++) {
        ConsistencyProof c = ProofBuilder.consistency(nodes, m, n);
        c.verify(referenceRoot(all.subList(0, m)), root);
      }
    }
  }

  @Test
  void inclusionProofFailsForAnotherLeaf() {
    List<byte[]> all = leaves(13);
    TreeHashes nodes = store(all);
    InclusionProof p = ProofBuilder.inclusion(nodes, 5, 13);
    assertThatThrownBy(() -> p.verify(MerkleHash.leaf(all.get(6)), ProofBuilder.root(nodes, 13)))
        .isInstanceOf(ProofException.class)
        .hasMessageContaining("inclusion proof for index 5 in tree size 13 leads to root");
  }

  @Test
  void consistencyProofFailsWhenHistoryWasRewritten() {
    List<byte[]> all = leaves(20);
    List<byte[]> forged = new ArrayList<>(all);
    forged.set(3, "forged".getBytes(StandardCharsets.UTF_8));
    ConsistencyProof p = ProofBuilder.consistency(store(all), 7, 20);
    byte[] forgedOldRoot = referenceRoot(forged.subList(0, 7));
    assertThatThrownBy(() -> p.verify(forgedOldRoot, referenceRoot(all)))
        .isInstanceOf(ProofException.class)
        .hasMessageContaining("first root");
    assertThatCode(() -> p.verify(referenceRoot(all.subList(0, 7)), referenceRoot(all))).doesNotThrowAnyException();
  }

  @Test
  void refusesProofsOutsideTheTree() {
    TreeHashes nodes = store(leaves(4));
    assertThatThrownBy(() -> ProofBuilder.inclusion(nodes, 4, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("index 4 is not in a tree of size 4");
    assertThatThrownBy(() -> ProofBuilder.consistency(nodes, 0, 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 <= size1 <= size2");
    assertThat(Arrays.equals(ProofBuilder.root(nodes, 0), MerkleHash.emptyRoot())).isTrue();
  }
}
