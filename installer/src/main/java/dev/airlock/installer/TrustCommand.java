package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "trust", description = "Manage trusted transfer and publisher keys.")
final class TrustCommand extends NotAvailableYet {}
