/**
 * The trust store ({@code <data-dir>/trust/trust.json}): keys and CA roots for the
 * {@code transfer} and {@code publisher} roles, with validity and revocation.
 */
package dev.airlock.vault.trust;
