package dev.airlock.vault.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How many bytes can still be written where the vault lives; replaceable in tests. */
@FunctionalInterface
public interface FreeSpaceProbe {
  long usableBytes(Path where) throws IOException;

  FreeSpaceProbe FILE_STORE = where -> Files.getFileStore(where).getUsableSpace();
}
