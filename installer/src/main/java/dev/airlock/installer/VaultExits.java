package dev.airlock.installer;

/** Exit codes of the bundle, trust and vault commands. */
final class VaultExits {
  /** The bundle was refused, or the vault found damage: the reason is printed. */
  static final int REFUSED = 1;
  /** Bad arguments (picocli's own code for usage errors). */
  static final int USAGE = 2;
  /** The command could not run: unreadable files, vault in use, database unavailable. */
  static final int CANNOT_RUN = 4;

  private VaultExits() {}
}
