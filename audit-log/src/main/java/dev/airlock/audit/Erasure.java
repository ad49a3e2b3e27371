package dev.airlock.audit;

import java.util.Optional;

/**
 * A crypto-shredding event: the data keys of one subject (or of records past their retention)
 * were destroyed, and the event itself was appended as record {@code index}.
 *
 * @param index the log index of the {@code audit.erasure} / {@code audit.retention} record
 * @param subject the subject that was erased; empty for a retention sweep
 * @param subjectTag the subject's pseudonymous tag as written in leaves (hex), for matching leaves
 *     whose subject is no longer readable
 * @param keysDestroyed how many data keys were destroyed
 */
public record Erasure(long index, Optional<String> subject, Optional<String> subjectTag, int keysDestroyed) {}
