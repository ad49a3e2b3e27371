package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "audit", description = "Verify, export and prove the audit log, offline.")
final class AuditCommand extends NotAvailableYet {}
