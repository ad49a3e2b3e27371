package dev.airlock.installer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NotAvailableYetTest {
  @Test
  void groupsWithNothingBehindThemSaySoAndFail() {
    var groups = AirlockCli.commandLine().getSubcommands().values().stream()
        .filter(c -> c.getCommand() instanceof NotAvailableYet)
        .map(c -> c.getCommandName())
        .toList();
    for (String group : groups) {
      AirlockCliTest.Run r = AirlockCliTest.run(group);
      assertThat(r.exit()).as(group).isEqualTo(AirlockCli.EXIT_NOT_AVAILABLE);
      assertThat(r.err()).isEqualTo("airlock " + group + ": not available yet in this build of Airlock.\n");
      assertThat(r.out()).as("nothing pretends to be output").isEmpty();
    }
  }
}
