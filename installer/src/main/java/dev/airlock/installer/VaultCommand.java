package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "vault", description = "Check the vault's stored blobs against their digests.")
final class VaultCommand extends NotAvailableYet {}
