package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "admin", description = "Bootstrap and administer the appliance.")
final class AdminCommand extends NotAvailableYet {}
