package dev.airlock.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.airlock.audit.note.CheckpointBody;
import dev.airlock.audit.note.NoteFormatException;
import dev.airlock.audit.note.NoteVerificationException;
import dev.airlock.audit.note.NoteVerifier;
import dev.airlock.audit.note.SignedNote;
import dev.airlock.audit.proof.InclusionProof;
import dev.airlock.audit.proof.ProofException;
import dev.airlock.audit.proof.ProofVerifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The export format of {@code docs/audit-log-format.md} section 7, written and checked in one
 * place for the CLI ({@code airlock audit export}) and the server (the console's export).
 *
 * <p>Two shapes, both JSON lines: a <b>full export</b> ({@link #writeEntries}: every entry of a
 * range in index order, each checkpoint right after the last entry it covers) and a <b>proven
 * export</b> ({@link #writeProven}: one signed checkpoint first, then chosen entries in any order,
 * each with its RFC 9162 inclusion proof against that checkpoint). {@link #verify} checks either
 * with nothing but the log's verifier key, as {@code docs/audit-log-verify.py} does.
 */
public final class AuditExport {
  private static final JsonFactory JSON = new JsonFactory();

  private AuditExport() {}

  /**
   * Writes entries {@code [from, to)} of a log's files (to = {@code Long.MAX_VALUE} for all) and
   * the checkpoints whose last covered entry is in that range (a checkpoint of size 0 first when
   * {@code from} is 0). Checkpoints are read before entries, so none covers more than is written.
   *
   * @throws AuditLogException at the first damaged or missing entry, naming its index
   */
  public static void writeEntries(AuditLogReader reader, long from, long to, Writer out) {
    List<Long> sizes = new ArrayList<>();
    List<String> notes = reader.checkpointNotes();
    for (String note : notes) {
      sizes.add(sizeOf(note));
    }
    int[] next = {0};
    try {
      while (next[0] < notes.size() && sizes.get(next[0]) <= from) {
        if (sizes.get(next[0]) == from && from == 0) {
          checkpointLine(out, notes.get(next[0]));
        }
        next[0]++;
      }
      Base64.Encoder b64 = Base64.getEncoder();
      reader.entries(from, to, (index, leaf) -> {
        out.write("{\"index\": " + index + ", \"leaf\": \"" + b64.encodeToString(leaf) + "\"}\n");
        while (next[0] < notes.size() && sizes.get(next[0]) == index + 1) {
          checkpointLine(out, notes.get(next[0]));
          next[0]++;
        }
        while (next[0] < notes.size() && sizes.get(next[0]) <= index + 1) {
          next[0]++;
        }
      });
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing the export: " + e.getMessage(), e);
    }
  }

  /**
   * Writes a proven export of {@code indexes} (in the order given) from a running log: the
   * latest checkpoint, signed now if the log grew since, then each entry with its inclusion proof
   * against it.
   *
   * @return the checkpoint the proofs are against
   */
  public static Checkpoint writeProven(AuditLog log, List<Long> indexes, Writer out) {
    Checkpoint cp = log.checkpoint();
    for (long i : indexes) {
      if (i < 0 || i >= cp.size()) {
        throw new IllegalArgumentException("entry " + i + " is not covered by the checkpoint of size " + cp.size());
      }
    }
    try {
      checkpointLine(out, cp.signedNote());
      Base64.Encoder b64 = Base64.getEncoder();
      for (long i : indexes) {
        InclusionProof proof = log.proveInclusion(i, cp.size());
        StringBuilder line = new StringBuilder("{\"index\": ").append(i).append(", \"leaf\": \"")
            .append(b64.encodeToString(log.leaf(i))).append("\", \"proof\": [");
        for (int h = 0; h < proof.hashes().size(); h++) {
          line.append(h == 0 ? "\"" : ", \"").append(b64.encodeToString(proof.hashes().get(h))).append('"');
        }
        out.write(line.append("]}\n").toString());
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing the export: " + e.getMessage(), e);
    }
    return cp;
  }

  /**
   * What checking an export found.
   *
   * @param entries entry lines checked
   * @param checkpoints checkpoint lines whose signature (and, in a full export, root) was checked
   * @param proven true for a proven export (entries with inclusion proofs), false for a full one
   * @param problem the first problem, with its line number; checking stops there
   */
  public record Check(long entries, int checkpoints, boolean proven, Optional<String> problem) {
    public boolean ok() {
      return problem.isEmpty();
    }
  }

  /**
   * Checks an export with the log's verifier key, the way {@code docs/audit-log-verify.py} does.
   * A full export must start at entry 0: leaves are re-hashed, the tree recomputed, each
   * checkpoint's signature and root checked where it stands. A proven export (its first line a
   * checkpoint of size above 0) has each entry's proof checked against the checkpoint before it.
   * Every leaf's structure is decoded.
   */
  public static Check verify(NoteVerifier key, Reader in) {
    BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in);
    CompactRange tree = new CompactRange();
    Boolean proven = null;
    Checkpoint current = null;
    long lastSize = -1;
    long entries = 0;
    int checkpoints = 0;
    int lineNo = 0;
    try {
      for (String line; (line = lines.readLine()) != null; ) {
        lineNo++;
        String at = "line " + lineNo + ": ";
        if (line.isBlank()) {
          continue;
        }
        Line l;
        try {
          l = Line.parse(line);
        } catch (IOException | IllegalArgumentException e) {
          return fail(entries, checkpoints, proven, at + "not an export line (" + e.getMessage() + ")");
        }
        if (l.checkpoint != null) {
          Checkpoint cp;
          try {
            SignedNote note = key.verify(l.checkpoint);
            CheckpointBody body = CheckpointBody.parse(note.text());
            cp = new Checkpoint(body.origin(), body.size(), body.rootHash(), l.checkpoint);
          } catch (NoteFormatException | NoteVerificationException e) {
            return fail(entries, checkpoints, proven, at + "the checkpoint is not signed by " + key.name() + ": "
                + e.getMessage());
          }
          if (!cp.origin().equals(key.name())) {
            return fail(entries, checkpoints, proven, at + "the checkpoint names origin '" + cp.origin()
                + "' but the verifier key is for '" + key.name() + "'");
          }
          if (cp.size() < lastSize) {
            return fail(entries, checkpoints, proven, at + "checkpoint size " + cp.size()
                + " is smaller than the one before (" + lastSize + "): a log never shrinks");
          }
          if (proven == null) {
            proven = cp.size() > 0;
          }
          if (!proven) {
            if (cp.size() != tree.size()) {
              return fail(entries, checkpoints, false, at + "a checkpoint of size " + cp.size() + " arrives after "
                  + tree.size() + " entries");
            }
            if (!MessageDigest.isEqual(tree.root(), cp.rootHash())) {
              return fail(entries, checkpoints, false, at + "the checkpoint of size " + cp.size()
                  + " signs a root that the entries before it do not hash to: an entry was altered, added or removed");
            }
          }
          lastSize = cp.size();
          current = cp;
          checkpoints++;
          continue;
        }
        byte[] leaf = l.leaf;
        try {
          AuditLeaf.validate(leaf);
        } catch (AuditLogException e) {
          return fail(entries, checkpoints, proven, at + "entry " + l.index + " is not a valid leaf: " + e.getMessage());
        }
        if (proven == null) {
          proven = false;
        }
        if (l.proof != null) {
          if (!proven || current == null) {
            return fail(entries, checkpoints, proven, at + "entry " + l.index
                + " carries a proof, but no checkpoint came before it to prove it against");
          }
          try {
            ProofVerifier.verifyInclusion(l.index, current.size(), MerkleHash.leaf(leaf), l.proof, current.rootHash());
          } catch (ProofException e) {
            return fail(entries, checkpoints, true, at + "entry " + l.index + " is not proven in the checkpoint of size "
                + current.size() + ": " + e.getMessage());
          }
        } else {
          if (proven) {
            return fail(entries, checkpoints, true, at + "entry " + l.index + " has no proof in a proven export");
          }
          if (l.index != tree.size()) {
            return fail(entries, checkpoints, false, at + "expected entry " + tree.size() + ", got " + l.index
                + " (a full export starts at 0 and has no gaps)");
          }
          tree.append(MerkleHash.leaf(leaf));
        }
        entries++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the export: " + e.getMessage(), e);
    }
    boolean isProven = Boolean.TRUE.equals(proven);
    if (checkpoints == 0) {
      return fail(entries, 0, isProven, "no checkpoint: nothing vouches for the entries");
    }
    return new Check(entries, checkpoints, isProven, Optional.empty());
  }

  private static Check fail(long entries, int checkpoints, Boolean proven, String problem) {
    return new Check(entries, checkpoints, Boolean.TRUE.equals(proven), Optional.of(problem));
  }

  /** One parsed line: a checkpoint, or an entry with or without a proof. */
  private record Line(String checkpoint, long index, byte[] leaf, List<byte[]> proof) {
    static Line parse(String text) throws IOException {
      String checkpoint = null;
      Long index = null;
      byte[] leaf = null;
      List<byte[]> proof = null;
      Base64.Decoder b64 = Base64.getDecoder();
      try (JsonParser p = JSON.createParser(text)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          throw new IllegalArgumentException("expected a JSON object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken t = p.nextToken();
          switch (name) {
            case "checkpoint" -> checkpoint = requireString(p, t, name);
            case "index" -> {
              if (t != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
                throw new IllegalArgumentException("'index' must be a non-negative integer");
              }
              index = p.getLongValue();
            }
            case "leaf" -> leaf = b64.decode(requireString(p, t, name));
            case "proof" -> {
              if (t != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("'proof' must be an array of base64 hashes");
              }
              proof = new ArrayList<>();
              while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                proof.add(b64.decode(requireString(p, t, "proof hash")));
              }
            }
            default -> throw new IllegalArgumentException("unknown field '" + name + "'");
          }
        }
      }
      if (checkpoint != null && index == null && leaf == null && proof == null) {
        return new Line(checkpoint, -1, null, null);
      }
      if (checkpoint == null && index != null && leaf != null) {
        return new Line(null, index, leaf, proof);
      }
      throw new IllegalArgumentException("neither a checkpoint nor an entry with 'index' and 'leaf'");
    }

    private static String requireString(JsonParser p, JsonToken t, String name) throws IOException {
      if (t != JsonToken.VALUE_STRING) {
        throw new IllegalArgumentException("'" + name + "' must be a string");
      }
      return p.getText();
    }
  }

  private static long sizeOf(String note) {
    try {
      return CheckpointBody.parse(SignedNote.parse(note).text()).size();
    } catch (NoteFormatException e) {
      throw new AuditLogException("a stored checkpoint is malformed (" + e.getMessage() + "); run 'airlock audit verify'");
    }
  }

  private static void checkpointLine(Writer out, String note) throws IOException {
    // Jackson escapes the note (newlines, quotes); the line keeps the documented spacing.
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeString(note);
    }
    out.write("{\"checkpoint\": " + w + "}\n");
  }
}
