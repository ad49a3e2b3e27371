package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "keys", description = "Generate signing keys.")
final class KeysCommand extends NotAvailableYet {}
