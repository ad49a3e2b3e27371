package dev.airlock.audit.note;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SignedNoteTest {
  static String resource(String name) throws IOException {
    try (InputStream in = SignedNoteTest.class.getResourceAsStream("/signed-note/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void verifiesTheSpecificationsOwnExample() throws Exception {
    NoteVerifier v = NoteVerifier.parse(resource("example.vkey"));
    SignedNote note = v.verify(resource("example.txt"));
    assertThat(note.text()).isEqualTo("This is an example message.\n");
    assertThat(v.name()).isEqualTo("example.com/foo");
    assertThat(Integer.toHexString(v.keyId())).isEqualTo("530d903a");
  }

  @Test
  void rejectsTheExampleWithOneCharacterChanged() throws Exception {
    NoteVerifier v = NoteVerifier.parse(resource("example.vkey"));
    String altered = resource("example.txt").replace("example message", "exemple message");
    assertThatThrownBy(() -> v.verify(altered))
        .isInstanceOf(NoteVerificationException.class)
        .hasMessageContaining("the signature by key example.com/foo+530d903a does not verify");
  }

  @Test
  void rejectsANoteSignedOnlyByAnotherKey() throws Exception {
    NoteSigner other = new NoteSigner("example.com/foo", NoteSigner.newSeed());
    NoteVerifier v = NoteVerifier.parse(resource("example.vkey"));
    String note = other.sign("This is an example message.\n").format();
    assertThatThrownBy(() -> v.verify(note))
        .isInstanceOf(NoteVerificationException.class)
        .hasMessageContaining("no signature by key example.com/foo+530d903a on this note");
  }

  @Test
  void signedNotesRoundTripAndCarryTheSpecKeyId() throws Exception {
    NoteSigner signer = new NoteSigner("airlock.test/audit", NoteSigner.newSeed());
    String vkey = signer.verifierKey();
    assertThat(vkey).matches("airlock\\.test/audit\\+[0-9a-f]{8}\\+[A-Za-z0-9+/=]{44}");
    assertThat(Base64.getDecoder().decode(vkey.split("\\+", 3)[2])[0]).isEqualTo((byte) 0x01);
    String note = signer.sign("airlock.test/audit\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n").format();
    assertThat(note).contains("\n\n\u2014 airlock.test/audit ");
    NoteVerifier.parse(vkey).verify(note);
  }

  @Test
  void ignoresSignaturesOfUnknownKeysWhenAKnownOneVerifies() throws Exception {
    NoteSigner mine = new NoteSigner("airlock.test/audit", NoteSigner.newSeed());
    NoteSigner witness = new NoteSigner("witness.test", NoteSigner.newSeed());
    String text = "hello\n";
    SignedNote both = new SignedNote(text, java.util.List.of(
        witness.sign(text).signatures().get(0), mine.sign(text).signatures().get(0)));
    NoteVerifier.parse(mine.verifierKey()).verify(both.format());
  }

  @Test
  void rejectsMalformedNotesAndKeys() {
    assertThatThrownBy(() -> SignedNote.parse("no blank line\n\u2014 k AAAA\n"))
        .isInstanceOf(NoteFormatException.class).hasMessageContaining("no blank line");
    assertThatThrownBy(() -> SignedNote.parse("text\n\n- k AAAAAAA=\n"))
        .isInstanceOf(NoteFormatException.class).hasMessageContaining("em dash");
    assertThatThrownBy(() -> NoteVerifier.parse("example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"))
        .isInstanceOf(NoteFormatException.class).hasMessageContaining("does not match its name and key");
    assertThatThrownBy(() -> NoteVerifier.parse("just-a-name"))
        .isInstanceOf(NoteFormatException.class).hasMessageContaining("three parts");
  }

  @Test
  void checkpointBodyFollowsTlogCheckpoint() throws Exception {
    byte[] root = new byte[32];
    root[0] = 1;
    String text = new CheckpointBody("airlock.test/audit", 42, root).format();
    assertThat(text).isEqualTo("airlock.test/audit\n42\nAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
    CheckpointBody parsed = CheckpointBody.parse(text);
    assertThat(parsed.size()).isEqualTo(42);
    assertThat(parsed.rootHash()).isEqualTo(root);
    assertThatThrownBy(() -> CheckpointBody.parse("o\n042\nAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"))
        .isInstanceOf(NoteFormatException.class).hasMessageContaining("without leading zeros");
  }
}
