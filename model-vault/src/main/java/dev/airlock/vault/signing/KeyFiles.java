package dev.airlock.vault.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A signing key pair as files in one directory: {@code private.pem} (PKCS#8, created with mode 600
 * before any byte is written) and {@code public.pem}. What {@code airlock keys generate} writes and
 * what the signing commands read.
 */
public final class KeyFiles {
  public static final String PRIVATE = "private.pem";
  public static final String PUBLIC = "public.pem";

  private KeyFiles() {}

  /**
   * Writes the pair into {@code dir} (created if missing).
   *
   * @throws FileAlreadyExistsException when either file exists; nothing is overwritten
   */
  public static void write(SigningKey key, Path dir) throws IOException {
    Path privatePem = dir.resolve(PRIVATE);
    Path publicPem = dir.resolve(PUBLIC);
    if (Files.exists(publicPem)) throw new FileAlreadyExistsException(publicPem.toString());
    Files.createDirectories(dir);
    Files.createFile(privatePem, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(privatePem, key.toPkcs8Pem(), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    Files.writeString(publicPem, key.verifyingKey().toPem(), StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
  }
}
