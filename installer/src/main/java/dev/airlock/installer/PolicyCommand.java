package dev.airlock.installer;

import picocli.CommandLine.Command;

@Command(name = "policy", description = "Check a model against a policy; validate policy files.")
final class PolicyCommand extends NotAvailableYet {}
