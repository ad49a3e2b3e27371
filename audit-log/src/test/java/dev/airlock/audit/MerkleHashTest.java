package dev.airlock.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class MerkleHashTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void emptyLeafMatchesRfc6962ReferenceValue() {
    // From the RFC 6962 reference tests: leaf hash of the empty string.
    assertThat(HEX.formatHex(MerkleHash.leaf(new byte[0])))
        .isEqualTo("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  }

  @Test
  void emptyTreeRootIsSha256OfNothing() {
    assertThat(HEX.formatHex(MerkleHash.emptyRoot()))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void nodeOfTwoLeavesMatchesRfc6962ReferenceTree() {
    // Leaves 0x00 and 0x10 of the RFC 6962 test tree; their parent is a published value.
    byte[] l0 = MerkleHash.leaf(new byte[0]);
    byte[] l1 = MerkleHash.leaf(new byte[] {0x00});
    assertThat(HEX.formatHex(MerkleHash.node(l0, l1)))
        .isEqualTo("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
  }

  @Test
  void rejectsChildrenThatAreNotHashes() {
    assertThatThrownBy(() -> MerkleHash.node(new byte[31], new byte[32]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32-byte hashes, got 31 and 32");
  }
}
