/**
 * License and provenance facts about a model.
 *
 * <p>One entry point: {@link dev.airlock.license.LicenseAudit#scan(java.nio.file.Path)} returns a
 * {@link dev.airlock.license.LicenseReport}: effective licenses (own and inherited), lineage,
 * obligations, thresholds, field-of-use and territorial restrictions, governing law, and findings,
 * each with its evidence (file, position, excerpt). Bad input becomes findings, never exceptions.
 *
 * <p>Owns: reading SPDX SBOMs (2.3 JSON, 3.0.1 JSON-LD with the AI profile) through SPDX Java
 * Tools strictly offline; identifying license texts (Airlock's catalog, then the SPDX list with
 * candidate pre-selection); the license knowledge base ({@code catalog/licenses.yaml}, every term
 * citing its clause) and the model family catalog ({@code catalog/model-families.yaml}); model
 * card and GGUF license fields, read through model-vault's metadata readers.
 *
 * <p>Does not own: deciding whether a model is allowed. That is the policies module's verdict;
 * this module only states facts.
 */
package dev.airlock.license;
