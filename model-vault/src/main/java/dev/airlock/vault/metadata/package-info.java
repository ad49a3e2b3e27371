/**
 * What the vault learns about a model from its files, for policy and hardware fit.
 *
 * <p>One entry point, {@link dev.airlock.vault.metadata.ModelInspector#inspect}, gives a
 * {@link dev.airlock.vault.metadata.ModelMetadata}. The readers it uses are public for the
 * license audit and the embedded engine: {@link dev.airlock.vault.metadata.ModelCardReader}
 * (card front matter with line numbers), {@link dev.airlock.vault.metadata.GgufReader} and
 * {@link dev.airlock.vault.metadata.GgufWriter}, {@link
 * dev.airlock.vault.metadata.SafetensorsReader}, {@link dev.airlock.vault.metadata.ModelConfigReader}
 * and {@link dev.airlock.vault.metadata.RiskScanner}. The arithmetic of memory and fit is in
 * {@link dev.airlock.vault.metadata.MemoryEstimator}.
 *
 * <p>Only headers and small text files are read, each with a size cap, and every length a file
 * claims is checked against the file before anything is allocated: a lying header is an error
 * with a message, never an out-of-memory.
 */
package dev.airlock.vault.metadata;
