package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "bundle", description = "Create, verify, inspect and import signed offline bundles.")
final class BundleCommand extends NotAvailableYet {}
