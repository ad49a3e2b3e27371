/**
 * Content-addressed blob storage under {@code <data-dir>/vault}: blobs appear only by atomic
 * rename of complete, fsynced staging files.
 */
package dev.airlock.vault.store;
