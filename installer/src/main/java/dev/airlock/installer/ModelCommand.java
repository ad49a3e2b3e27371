package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "model", description = "Sign and verify model directories (OpenSSF Model Signing).")
final class ModelCommand extends NotAvailableYet {}
