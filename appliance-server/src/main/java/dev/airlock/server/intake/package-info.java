/**
 * How versions enter the vault's catalog besides a bundle upload, and how every version that
 * enters reaches the DPOs' queue: registered external servers ({@link
 * dev.airlock.server.intake.ExternalServers}), and the intake that reviews whatever the catalog
 * holds unreviewed, such as a bundle the CLI imported while the server was stopped ({@link
 * dev.airlock.server.intake.ReviewIntake}). Does not own the review itself ({@code review}) or
 * serving ({@code backend}).
 */
package dev.airlock.server.intake;
