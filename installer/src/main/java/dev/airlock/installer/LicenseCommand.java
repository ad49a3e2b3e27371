package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "license", description = "Scan a model or bundle for licenses, lineage and obligations.")
final class LicenseCommand extends NotAvailableYet {}
