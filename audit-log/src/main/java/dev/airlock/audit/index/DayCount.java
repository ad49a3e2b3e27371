package dev.airlock.audit.index;

import java.time.LocalDate;

/**
 * How many entries of one group (a model id, an app id) fell on one UTC day.
 *
 * @param day the UTC date
 * @param group the model or app id; {@code ""} for entries without one
 * @param count entries that day in that group
 */
public record DayCount(LocalDate day, String group, long count) {}
